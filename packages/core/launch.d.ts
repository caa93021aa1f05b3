/** Runs `<binDir>/../dist/cli.js`'s `main(process.argv)` for the command `name`; exits 1 when it is not built. */
export function launch(name: string, binDir: string): void;
