import { GatewaveError } from '@gatewave/core';

/** The one error class of @gatewave/web, a GatewaveError. `code` is stable (`BAD_ARGUMENT`, `APP_NOT_BUILT`, `PORT_IN_USE`, ...). */
export class WebError extends GatewaveError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = 'WebError';
  }
}
