// A process that opens (and so migrates) the SQLite file at argv[2] and exits: the concurrent-start test runs several.
import { closeDatabase, openDatabase } from '../../src/db/client';

process.stdout.write('opening\n');
closeDatabase(openDatabase({ path: process.argv[2]! }));
