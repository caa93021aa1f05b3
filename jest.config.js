/** One jest run over every package; TypeScript is compiled on the fly by swc. */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript' },
      target: 'es2021',
      transform: { useDefineForClassFields: false },
    },
    module: { type: 'commonjs' },
  },
];

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/examples', '<rootDir>/tools', '<rootDir>/bench'],
  testMatch: ['**/test/**/*.test.ts'],
  transform: { '^.+\\.tsx?$': swc },
  moduleNameMapper: {
    '^@gatewave/core/cli$': '<rootDir>/packages/core/src/cli/index.ts',
    '^@gatewave/jobs/cli$': '<rootDir>/packages/jobs/src/cli/index.ts',
    '^@gatewave/(core|jobs|forecast|audio|web)$': '<rootDir>/packages/$1/src/index.ts',
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 120000,
};
