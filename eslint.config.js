// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier/flat';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * typescript-eslint strict, type-checked, with Prettier owning layout (.prettierrc.json, 120 columns).
 * `npm run lint` fails on any warning; `npm run format` rewrites files with Prettier.
 *
 * Departures from `strictTypeChecked`, each chosen so that what remains can be fixed mechanically
 * (README, "Lint and format", has the counts):
 * - `no-non-null-assertion` off: with `noUncheckedIndexedAccess`, `rows[i]!` after a bounds check is
 *   this codebase's idiom; each replacement would need its own runtime check, not a rewrite.
 * - `restrict-template-expressions` allows numbers: `${count} seats` is not a bug; booleans,
 *   nullables, objects and `unknown` in a template still are.
 * - `no-confusing-void-expression` allows arrow shorthand (`() => resolve()`).
 * - `no-unused-vars` ignores `_`-prefixed names and rest siblings (see the rule below).
 * - the `no-unsafe-*` rules are off in tests only: there they flag reading JSON response bodies
 *   (`res.body.id`), which are `any` on purpose; in code they flag untyped query rows, which must go.
 *   `no-explicit-any` is off in tests for the same reason.
 */
export default defineConfig(
  globalIgnores(['node_modules/', 'dist/', 'web/dist/', 'coverage/', 'bench/results/']),
  js.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.strictTypeChecked],
    languageOptions: {
      // web/vite.config.ts sits outside both tsconfigs (it runs in Node, not in the page).
      parserOptions: {
        projectService: { allowDefaultProject: ['web/vite.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // A promise nobody awaits loses its error; `void` marks the ones left running on purpose.
      '@typescript-eslint/no-floating-promises': 'error',
      // Fields, then constructor, then methods; within each, public before private (the default order).
      '@typescript-eslint/member-ordering': 'error',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // A leading `_` marks a parameter kept for its position (Express needs four for an error handler)
      // and `const { secret: _secret, ...rest } = x` is how a field is left out of a copy.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // The same reason: a response body is typed `any` where it is parsed (tests/support/env.ts `http`).
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // The buyer page: a plain browser ES module.
    files: ['web/**/*.js'],
    languageOptions: { sourceType: 'module', globals: globals.browser },
  },
  {
    files: ['eslint.config.js'],
    languageOptions: { globals: globals.node },
  },
  prettier,
);
