#!/usr/bin/env node
// The installed `gatewave-audio` command: runs the built command line (see @gatewave/core/launch.js).
'use strict';
require('@gatewave/core/launch').launch('gatewave-audio', __dirname);
