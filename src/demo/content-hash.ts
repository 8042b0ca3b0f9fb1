// A fingerprint of a database's captured content, to check that a seed always builds the same community.
export { hashDatabaseContent } from '../db/bulk';
