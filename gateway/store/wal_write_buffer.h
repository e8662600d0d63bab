// A SQLite VFS shim for the store's writer connection that coalesces the writes
// to the write-ahead log. SQLite writes each WAL frame with two pwrite calls (its
// header, then the page): a group commit of 15 creates made about 90 system calls,
// which cost more than the group's fdatasync. The shim keeps contiguous WAL writes
// in memory and writes them with one call before anything can depend on them:
// before the WAL is synced, read, truncated, sized or closed, and before the
// connection publishes new frames to readers (the shared-memory barrier). What
// SQLite sees is unchanged; only the number of system calls is.
#pragma once

namespace carebridge::gateway::store {

// Registers the shim (once) and returns its VFS name for sqlite3_open_v2.
const char* wal_write_buffer_vfs();

}  // namespace carebridge::gateway::store
