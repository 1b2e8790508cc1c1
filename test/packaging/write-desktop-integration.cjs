/**
 * afterPack hook of the packaging smoke test only: writes the .desktop entry and the shared-mime-info
 * file that the deb and AppImage targets install, with electron-builder's own LinuxTargetHelper and
 * this config (those targets fetch fpm and appimagetool at build time, which this workplace cannot).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- electron-builder loads its hooks with require() */
const fs = require('node:fs');
const path = require('node:path');
const { LinuxTargetHelper } = require('app-builder-lib/out/targets/LinuxTargetHelper');

exports.default = async function writeDesktopIntegration(context) {
  const packager = context.packager;
  const helper = new LinuxTargetHelper(packager);
  const out = path.join(context.appOutDir, '..', 'desktop-integration');
  fs.mkdirSync(out, { recursive: true });
  // The options the deb target passes: linux's, overridden by deb's.
  const options = { ...packager.platformSpecificBuildOptions, ...(packager.config.deb ?? {}) };
  await helper.writeDesktopEntry(options, undefined, path.join(out, `${helper.getDesktopFileName()}.desktop`));
  const mime = await helper.mimeTypeFiles;
  if (mime) fs.copyFileSync(mime, path.join(out, `${packager.executableName}.xml`));
};
