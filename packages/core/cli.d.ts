export * from './dist/cli';
