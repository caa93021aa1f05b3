export * from './dist/jobs';
