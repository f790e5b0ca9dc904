/** Components import their stylesheets for esbuild to bundle into `build/<page>.css`; they export nothing. */
declare module '*.css';
