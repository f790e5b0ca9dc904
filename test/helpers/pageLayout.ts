import type { Page } from 'playwright-core';

/** An element's box and whether CSS really shows it (display, visibility, size), read from the page's computed style. */
export interface Shown {
  readonly shown: boolean;
  readonly top: number;
  readonly bottom: number;
  readonly height: number;
}

export function shownState(page: Page, selector: string): Promise<Shown> {
  return page.evaluate<Shown>(`(() => {
    const node = document.querySelector(${JSON.stringify(selector)});
    if (!node) return { shown: false, top: 0, bottom: 0, height: 0 };
    const style = getComputedStyle(node);
    const box = node.getBoundingClientRect();
    let hiddenAbove = false;
    for (let n = node; n; n = n.parentElement) if (getComputedStyle(n).display === 'none') hiddenAbove = true;
    return { shown: !hiddenAbove && style.visibility !== 'hidden' && box.width > 0 && box.height > 0, top: box.top, bottom: box.bottom, height: box.height };
  })()`);
}

/** Whether the page scrolls sideways (wider than the viewport). */
export function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate<boolean>('document.documentElement.scrollWidth > document.documentElement.clientWidth');
}

export const PHONE = { width: 390, height: 844 } as const;
