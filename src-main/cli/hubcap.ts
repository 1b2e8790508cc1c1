// Entry of the built `out/main/cli.js`, run by bin/hubcap.js.
import { setEntryUrl } from './entry-url';
import { main } from './main';

setEntryUrl(import.meta.url);
const code = await main(process.argv.slice(2));
if (code !== 0) process.exit(code);
