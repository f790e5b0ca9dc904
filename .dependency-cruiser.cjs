/**
 * The import rules of src/ and loadbalancer/src/ (`npm run lint:deps`, part of `npm test`);
 * the README's "How it is built" shows the same layers.
 *
 * Folders of src/ are layers; a folder imports only folders below it (and itself):
 *
 *   main.ts
 *   http                                  (speaks for the primary: may import it)
 *   worker, primary                       (the two kinds of process; neither imports the other)
 *   chat
 *   store, ipc, lb-client, hls, rtmp, srt, whip, authhook
 *   config
 *   kit, net
 *   contracts                             (imports nothing, not even a package)
 *
 * loadbalancer/src/ imports from src/ only kit/ and contracts/; src/ never imports it.
 * pages/src/ (the browser pages) imports from src/ only contracts/ (the wire's types); src/ never imports it.
 * Type-only imports count like the others: a cycle of types is still a cycle for a reader.
 */

/** Folders of src/, lowest first; a folder may import only those of a lower rank. */
const LAYERS = [['contracts'], ['kit', 'net'], ['config'], ['store', 'ipc', 'lb-client', 'hls', 'rtmp', 'srt', 'whip', 'authhook'], ['chat'], ['worker', 'primary'], ['http']];

/** `src/(a|b)/`: the folders given, as a path pattern. */
const folders = (names) => `^src/(${names.join('|')})/`;

/** One rule per layer: nothing in it imports its own layer's siblings or anything above. */
const layerRules = LAYERS.map((layer, rank) => {
  const above = LAYERS.slice(rank + 1).flat();
  return layer.map((folder) => {
    const forbidden = [...layer.filter((other) => other !== folder), ...above];
    if (forbidden.length === 0) return undefined;
    return {
      name: `layer-${folder}`,
      comment: `src/${folder}/ may import only ${LAYERS.slice(0, rank).flat().join(', ') || 'nothing of src/'} (the layers below it)`,
      severity: 'error',
      from: { path: `^src/${folder}/` },
      to: { path: folders(forbidden) },
    };
  });
}).flat().filter(Boolean);

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycle between files of src/ or loadbalancer/src/ (type-only imports included).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycle',
      comment: 'No import cycle between folders of src/ and loadbalancer/src/.',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'http-not-primary',
      comment: 'The APIs use the primary through http/AppContext (main.ts hands them to it): src/http/ imports no src/primary/ file.',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: '^src/primary/' },
    },
    {
      name: 'contracts-import-nothing',
      comment: 'src/contracts/ holds the types both sides of a wire import: it imports only other contracts files (no packages, no node: modules).',
      severity: 'error',
      from: { path: '^src/contracts/' },
      to: { pathNot: '^src/contracts/' },
    },
    {
      name: 'loadbalancer-imports-kit-and-contracts',
      comment: 'The load balancer imports from src/ only the shared kit and the contracts.',
      severity: 'error',
      from: { path: '^loadbalancer/' },
      to: { path: '^src/', pathNot: '^src/(kit|contracts)/' },
    },
    {
      name: 'src-imports-no-loadbalancer',
      comment: 'The chat server never imports the load balancer (they meet in src/contracts/lbWire.ts).',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^loadbalancer/' },
    },
    {
      name: 'pages-import-contracts-only',
      comment: 'The pages run in browsers: from src/ they import only the contracts (the chat frames and records they speak).',
      severity: 'error',
      from: { path: '^pages/' },
      to: { path: '^(src|loadbalancer)/', pathNot: '^src/contracts/' },
    },
    {
      name: 'server-imports-no-pages',
      comment: 'The servers never import the pages: they serve what pages/build.ts built.',
      severity: 'error',
      from: { path: '^(src|loadbalancer)/' },
      to: { path: '^pages/' },
    },
    {
      name: 'no-unresolvable',
      comment: 'Every relative import resolves to a file.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are dependencies too.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Packages' "exports" maps resolve as Node resolves an ESM import (werift/nonstandard).
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js'], exportsFields: ['exports'], conditionNames: ['import', 'node', 'default'] },
  },
};
