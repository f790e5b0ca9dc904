import { describe, expect, it } from 'vitest';
import { cleanName, nameKey } from '../../src/chat/names.js';
import { RoomNames } from '../../src/chat/RoomNames.js';

describe('nameKey', () => {
  it('gives same-looking names one key: case, compatibility forms, accents, invisible characters and lookalike letters', () => {
    const ann = nameKey('Ann');
    for (const same of ['ann', 'ANN', '\u0410nn', '\uFF21\uFF4E\uFF4E', '\u0391nn', '\u{1D400}\u{1D427}\u{1D427}', 'Ánn', 'A\u0301nn', 'Ann\u3164', 'A\u034Fnn', ' Ann ']) {
      expect(nameKey(same), JSON.stringify(same)).toBe(ann);
    }
    expect(nameKey('\u041D\u041E\u0422')).toBe(nameKey('HOT')); // Cyrillic capitals
    expect(nameKey('\u0440\u0430\u0443')).toBe(nameKey('pay')); // Cyrillic small letters
    expect(nameKey('Bill')).toBe(nameKey('BiII'));
    expect(nameKey('Bill')).toBe(nameKey('Bi11'));
    expect(nameKey('rnom')).toBe(nameKey('mom'));
    expect(nameKey('B0B')).toBe(nameKey('BOB'));
    expect(nameKey('ann\u2010lee')).toBe(nameKey('ann-lee'));
  });

  it('keeps names that look different apart', () => {
    expect(nameKey('Ann')).not.toBe(nameKey('Anna'));
    expect(nameKey('Bob')).not.toBe(nameKey('Rob'));
    expect(nameKey('Ann Lee')).not.toBe(nameKey('AnnLee'));
    expect(nameKey('Дмитрий')).not.toBe(nameKey('Dmitri'));
  });
});

describe('cleanName', () => {
  it('drops invisible fillers, keeps emoji variation selectors', () => {
    expect(cleanName('Ann\u3164')).toBe('Ann');
    expect(cleanName('\u3164\u115F')).toBeUndefined();
    expect(cleanName('\u2800\u2800')).toBeUndefined();
    expect(cleanName('\u2764\uFE0F')).toBe('\u2764\uFE0F');
    expect(cleanName('\uFE0F')).toBeUndefined();
  });
});

describe('RoomNames', () => {
  it('lets signed-in users keep their names, never anonymous lookalikes', () => {
    const names = new RoomNames();
    const anonymous = new Set(['anon-1']);
    const isAnonymous = (id: string) => anonymous.has(id);
    expect(names.canTakeAnonymous('Ann')).toBe(true);
    names.take('Ann', 'anon-1', false);
    expect(names.canTakeAnonymous('\u0410nn')).toBe(false);

    // a signed-in Ann takes the name from the anonymous one
    expect(names.forSignedIn('site-ann', 'Ann', isAnonymous)).toEqual({ name: 'Ann', displaced: 'anon-1' });
    names.take('Ann', 'site-ann', true);
    // another signed-in user with a lookalike name is told apart by a tag from their id
    const other = names.forSignedIn('other-ann', '\u0410NN', isAnonymous);
    expect(other.name).toMatch(/^\u0410NN #[0-9a-f]{4}$/);
    expect(other.displaced).toBeUndefined();
    expect(names.forSignedIn('other-ann', '\u0410NN', isAnonymous)).toEqual(other);
    expect(names.forSignedIn('site-ann', 'Ann', isAnonymous)).toEqual({ name: 'Ann', displaced: undefined });

    // after the signed-in user leaves, the name stays theirs as far as anonymous users go
    names.release('Ann', 'site-ann');
    expect(names.holder('Ann')).toBeUndefined();
    expect(names.canTakeAnonymous('ann')).toBe(false);
    names.take('y'.repeat(32), 'first-y', true);
    expect([...names.forSignedIn('second-y', 'y'.repeat(32), isAnonymous).name]).toHaveLength(32);
  });
});
