/** Jest runs the TypeScript sources as native ESM, transformed by SWC (types are checked by `npm run typecheck`). */
export default {
  testEnvironment: 'node',
  // The workspace package sam-local-runtime resolves to its TypeScript sources here, as the npm scripts'
  // `--conditions=sam-local-runtime-source` and tsconfig's customConditions make it (its published form is dist/).
  testEnvironmentOptions: { customExportConditions: ['node', 'node-addons', 'sam-local-runtime-source'] },
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2024' },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      },
    ],
  },
  testMatch: ['<rootDir>/tests/**/*.test.ts', '<rootDir>/packages/*/tests/**/*.test.ts'],
  setupFiles: ['<rootDir>/tests/setup-env.ts'],
  // Hooks stop runtimes (servers, worker threads, the DynamoDB thread): on a loaded 2-core machine that can take
  // longer than jest's 5 s default, which then fails a suite whose tests all passed. A test's own limit is its own.
  testTimeout: 30_000,
  collectCoverageFrom: ['src/**/*.ts', 'packages/*/src/**/*.ts'],
  coverageReporters: ['text-summary', 'json-summary', 'lcov'],
  coverageDirectory: '.coverage',
  // Every handler file, on its own, must stay above 90% of lines (the functions issue's bar).
  coverageThreshold: { './src/functions/**/handler.ts': { lines: 90 } },
};
