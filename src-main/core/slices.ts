/**
 * Every capability of Hubcap, in the order their services are built (each may use, while being
 * built, only those above it; later ones only from callbacks). A new capability is one folder with
 * a `slice.ts` and one line here.
 */
import { accountSlice } from '../account/slice';
import { appsSlice } from '../apps/slice';
import { cacheSlice } from '../cache/slice';
import { chatSlice } from '../chat/slice';
import { desktopSlice } from '../desktop/slice';
import { downloadsSlice } from '../downloads/slice';
import { exportSlice } from '../export/slice';
import { hubSlice } from '../hub/slice';
import { inferenceSlice } from '../inference/slice';
import { librarySlice } from '../library/slice';
import { localApiSlice } from '../localapi/slice';
import { mirrorSlice } from '../mirror/slice';
import { publishSlice } from '../publish/slice';
import { settingsSlice } from '../settings/slice';
import { updatesSlice } from '../updates/slice';

export const SLICES = [
  settingsSlice,
  accountSlice,
  hubSlice,
  cacheSlice,
  downloadsSlice,
  librarySlice,
  inferenceSlice,
  chatSlice,
  appsSlice,
  exportSlice,
  publishSlice,
  localApiSlice,
  mirrorSlice,
  updatesSlice,
  desktopSlice,
] as const;
