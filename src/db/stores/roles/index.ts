// Clipper roles' stores (docs/roles.md): the rules per guild, the members Clipscope gave each role to with the record
// of every change, and the reads that rank clippers and sharers.
export * from './changes';
export * from './qualifiers';
export * from './rules';
