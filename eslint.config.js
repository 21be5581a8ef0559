import js from '@eslint/js';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** Layers of DESIGN.md "Layout": each may import only what lies further in. */
const layers = [
  {
    target: './src/domain',
    from: ['./src/store', './src/engine', './src/observe', './src/auth', './src/api', './src/client', './src/cli'],
  },
  { target: './src/store', from: ['./src/engine', './src/observe', './src/auth', './src/api', './src/client', './src/cli'] },
  { target: './src/engine', from: ['./src/auth', './src/api', './src/client', './src/cli'] },
  { target: './src/observe', from: ['./src/auth', './src/api', './src/client', './src/cli'] },
  { target: './src/auth', from: ['./src/engine', './src/api', './src/client', './src/cli'] },
  { target: './src/api', from: ['./src/client', './src/cli'] },
  { target: './src/client', from: ['./src/store', './src/engine', './src/observe', './src/auth', './src/api', './src/cli'] },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'coverage/', 'dist/', '.runledger/', 'examples/plugins/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'bin/*.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver': { node: { extensions: ['.ts', '.js'] } } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/explicit-module-boundary-types': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }],
      // Fastify handlers and task handlers are async by contract even when they need no await.
      '@typescript-eslint/require-await': 'off',
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': ['error', { zones: layers }],
    },
  },
  {
    files: ['bin/*.js', '*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off', '@typescript-eslint/no-unsafe-call': 'off' },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
);
