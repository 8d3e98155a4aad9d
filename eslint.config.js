// Lint: TypeScript strictness where it matters and the dependency direction of DESIGN.md:
// ui -> app -> {cli, lessons, vm, engine}; cli -> api and go only (the Engine API's types and the Go
// behaviours both sides share); vm -> engine's Runtime types, api and go; engine -> api and go;
// api and go import nothing else of src. engine, cli, api and go: no DOM (tsconfig.engine.json) and
// no v86.
import tseslint from 'typescript-eslint';

const layers = ['api', 'go', 'engine', 'cli', 'vm', 'lessons', 'app', 'ui', 'node'];
/** What each layer of src/ may import from the other layers. */
const allowed = {
  api: [],
  go: [],
  engine: ['api', 'go'],
  cli: ['api', 'go'],
  vm: ['engine', 'api', 'go'],
  lessons: ['engine', 'api', 'go'],
  app: ['cli', 'lessons', 'vm', 'engine', 'api', 'go'],
  ui: ['app', 'cli', 'lessons', 'vm', 'engine', 'api', 'go'],
  node: ['cli', 'vm', 'engine', 'app', 'api', 'go'],
};
/** The only modules of an allowed layer that a layer may reach: vm sees the engine's Runtime types. */
const onlyThrough = {
  vm: { engine: ['runtime/types'] },
};

function boundaryRules(layer) {
  const forbidden = layers.filter((other) => other !== layer && !allowed[layer].includes(other));
  // Only relative paths that climb to src/ and enter the layer: a module of one's own called
  // node.ts or api/ is not src/node or src/api.
  const patterns = forbidden.map((other) => ({
    regex: `^(\\.\\./)+${other}(/.*)?$`,
    message: `src/${layer} must not import from src/${other} (see DESIGN.md, dependency direction)`,
  }));
  for (const [other, modules] of Object.entries(onlyThrough[layer] ?? {})) {
    const except = modules.map((module) => module.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
    patterns.push({
      regex: `^(\\.\\./)+${other}(/(?!(${except})$).*)?$`,
      message: `src/${layer} may import from src/${other} only ${modules.join(', ')} (see DESIGN.md, dependency direction)`,
    });
  }
  if (['engine', 'cli', 'api', 'go'].includes(layer)) {
    patterns.push({ group: ['v86', '@xterm/*', 'idb-keyval', 'svelte', 'svelte/*'], message: `src/${layer} is pure TypeScript: no v86, DOM or UI libraries` });
  }
  return patterns;
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'vm-images/dist/**', 'vm-images/agent/dev/**', '**/*.svelte', 'bin/**'] },
  ...tseslint.configs.recommended,
  ...layers.map((layer) => ({
    files: [`src/${layer}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns: boundaryRules(layer) }] },
  })),
  {
    files: ['src/engine/**/*.ts', 'src/cli/**/*.ts', 'src/api/**/*.ts', 'src/go/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'localStorage', 'indexedDB'],
    },
  },
);
