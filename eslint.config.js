// Lint: TypeScript strictness where it matters and the dependency direction of DESIGN.md:
// ui -> app -> {cli, lessons, vm, engine}; cli -> engine (API types and client interface only);
// vm -> engine (Runtime interface); engine imports nothing else of src, no DOM and no v86.
import tseslint from 'typescript-eslint';

const layers = ['engine', 'cli', 'vm', 'lessons', 'app', 'ui', 'node'];
/** What each layer of src/ may import from the other layers. */
const allowed = {
  engine: [],
  cli: ['engine'],
  vm: ['engine'],
  lessons: ['engine'],
  app: ['cli', 'lessons', 'vm', 'engine'],
  ui: ['app', 'cli', 'lessons', 'vm', 'engine'],
  node: ['cli', 'vm', 'engine', 'app'],
};

function boundaryRules(layer) {
  const forbidden = layers.filter((other) => other !== layer && !allowed[layer].includes(other));
  const patterns = forbidden.map((other) => ({
    group: [`**/${other}`, `**/${other}/**`],
    message: `src/${layer} must not import from src/${other} (see DESIGN.md, dependency direction)`,
  }));
  if (layer === 'engine' || layer === 'cli') {
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
    files: ['src/engine/**/*.ts', 'src/cli/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'localStorage', 'indexedDB'],
    },
  },
);
