/** Component styles: esbuild bundles a component's imported CSS into build/<page>.css (pages/build.ts). */
declare module '*.css';
