#!/usr/bin/env node
// The installed `gatewave-forecast` command: runs the built command line (see @gatewave/core/launch.js).
'use strict';
require('@gatewave/core/launch').launch('gatewave-forecast', __dirname);
