/** The one error class of @gatewave/web. `code` is stable (`BAD_ARGUMENT`, `APP_NOT_BUILT`, `PORT_IN_USE`, ...). */
export class WebError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'WebError';
    this.code = code;
  }
}
