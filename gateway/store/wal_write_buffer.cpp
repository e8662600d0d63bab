// The WAL write buffer VFS shim (see wal_write_buffer.h). Every file the shim
// opens wraps a file of the default VFS; only write-ahead logs buffer writes.
#include "gateway/store/wal_write_buffer.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <new>
#include <cstring>
#include <mutex>
#include <set>
#include <string>

namespace carebridge::gateway::store {
namespace {

constexpr size_t kMaxBuffered = 1u << 20;  // written out beyond this, whatever happens next
// The unix VFS writes at most 128 KB per call (it masks larger sizes), so a buffer
// goes out in chunks below that.
constexpr size_t kChunk = 64u << 10;

struct ShimFile {
  sqlite3_file base;  // pMethods: the shim's methods
  sqlite3_file* real;  // the default VFS's file, allocated right after this struct
  bool wal;
  std::string* pending;  // WAL bytes not yet written, for [start, start + size)
  sqlite3_int64 start;
};

sqlite3_vfs* g_real = nullptr;
std::mutex g_wal_mutex;
std::set<ShimFile*>* g_wals = nullptr;  // open WAL files with a buffer
std::atomic<bool> g_failed_flush{false};  // a flush at the barrier failed: the next sync fails

int flush(ShimFile* f) {
  if (!f->wal || f->pending->empty()) return SQLITE_OK;
  int rc = SQLITE_OK;
  for (size_t at = 0; at < f->pending->size() && rc == SQLITE_OK; at += kChunk) {
    size_t size = std::min(kChunk, f->pending->size() - at);
    rc = f->real->pMethods->xWrite(f->real, f->pending->data() + at, static_cast<int>(size),
                                   f->start + static_cast<sqlite3_int64>(at));
  }
  f->pending->clear();
  return rc;
}

// Before new frames are published to readers, every buffered WAL byte is written.
int flush_all() {
  std::lock_guard lock(g_wal_mutex);
  int rc = SQLITE_OK;
  for (ShimFile* f : *g_wals) {
    if (int r = flush(f); r != SQLITE_OK) rc = r;
  }
  return rc;
}

ShimFile* shim(sqlite3_file* file) { return reinterpret_cast<ShimFile*>(file); }
sqlite3_file* real(sqlite3_file* file) { return shim(file)->real; }

int x_close(sqlite3_file* file) {
  ShimFile* f = shim(file);
  int rc = SQLITE_OK;
  if (f->wal) {
    std::lock_guard lock(g_wal_mutex);
    rc = flush(f);
    g_wals->erase(f);
    delete f->pending;
  }
  int closed = f->real->pMethods->xClose(f->real);
  return rc != SQLITE_OK ? rc : closed;
}

int x_read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  if (int rc = flush_all(); rc != SQLITE_OK) return rc;
  return real(file)->pMethods->xRead(real(file), out, amount, offset);
}

int x_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  ShimFile* f = shim(file);
  if (!f->wal) return f->real->pMethods->xWrite(f->real, data, amount, offset);
  std::lock_guard lock(g_wal_mutex);
  if (!f->pending->empty() && offset != f->start + static_cast<sqlite3_int64>(f->pending->size())) {
    if (int rc = flush(f); rc != SQLITE_OK) return rc;
  }
  if (f->pending->empty()) f->start = offset;
  try {
    f->pending->append(static_cast<const char*>(data), static_cast<size_t>(amount));
  } catch (const std::bad_alloc&) {  // no exception may cross SQLite's C frames: write it through instead
    if (int rc = flush(f); rc != SQLITE_OK) return rc;
    return f->real->pMethods->xWrite(f->real, data, amount, offset);
  }
  return f->pending->size() >= kMaxBuffered ? flush(f) : SQLITE_OK;
}

int x_truncate(sqlite3_file* file, sqlite3_int64 size) {
  if (int rc = flush_all(); rc != SQLITE_OK) return rc;
  return real(file)->pMethods->xTruncate(real(file), size);
}

int x_sync(sqlite3_file* file, int flags) {
  if (g_failed_flush.exchange(false)) return SQLITE_IOERR_WRITE;
  if (int rc = flush_all(); rc != SQLITE_OK) return rc;
  return real(file)->pMethods->xSync(real(file), flags);
}

int x_file_size(sqlite3_file* file, sqlite3_int64* size) {
  if (int rc = flush_all(); rc != SQLITE_OK) return rc;
  return real(file)->pMethods->xFileSize(real(file), size);
}

int x_lock(sqlite3_file* file, int lock) { return real(file)->pMethods->xLock(real(file), lock); }
int x_unlock(sqlite3_file* file, int lock) {
  if (int rc = flush_all(); rc != SQLITE_OK) return rc;
  return real(file)->pMethods->xUnlock(real(file), lock);
}
int x_check_reserved(sqlite3_file* file, int* out) { return real(file)->pMethods->xCheckReservedLock(real(file), out); }
int x_file_control(sqlite3_file* file, int op, void* arg) {
  if (int rc = flush_all(); rc != SQLITE_OK) return rc;
  return real(file)->pMethods->xFileControl(real(file), op, arg);
}
int x_sector_size(sqlite3_file* file) { return real(file)->pMethods->xSectorSize(real(file)); }
int x_device(sqlite3_file* file) { return real(file)->pMethods->xDeviceCharacteristics(real(file)); }
int x_shm_map(sqlite3_file* file, int region, int size, int extend, void volatile** out) {
  return real(file)->pMethods->xShmMap(real(file), region, size, extend, out);
}
int x_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
  return real(file)->pMethods->xShmLock(real(file), offset, n, flags);
}
void x_shm_barrier(sqlite3_file* file) {
  // With synchronous=FULL (the store's setting) the WAL was synced, and so flushed,
  // before new frames are published here; should a flush ever fail at this point,
  // the next sync reports it and the commit is not acknowledged.
  if (flush_all() != SQLITE_OK) g_failed_flush = true;
  real(file)->pMethods->xShmBarrier(real(file));
}
int x_shm_unmap(sqlite3_file* file, int delete_flag) { return real(file)->pMethods->xShmUnmap(real(file), delete_flag); }
int x_fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  if (int rc = flush_all(); rc != SQLITE_OK) return rc;
  return real(file)->pMethods->xFetch(real(file), offset, amount, out);
}
int x_unfetch(sqlite3_file* file, sqlite3_int64 offset, void* p) {
  return real(file)->pMethods->xUnfetch(real(file), offset, p);
}

const sqlite3_io_methods kMethods = {
    3,          x_close,  x_read,      x_write,       x_truncate,  x_sync,      x_file_size, x_lock,
    x_unlock,   x_check_reserved,      x_file_control, x_sector_size, x_device, x_shm_map,   x_shm_lock,
    x_shm_barrier, x_shm_unmap, x_fetch, x_unfetch,
};

int x_open(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  ShimFile* f = shim(file);
  f->real = reinterpret_cast<sqlite3_file*>(f + 1);
  f->wal = false;
  f->pending = nullptr;
  f->start = 0;
  int rc = g_real->xOpen(g_real, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK || !f->real->pMethods) {
    f->base.pMethods = nullptr;  // SQLite does not close a file whose open failed
    return rc;
  }
  if (f->real->pMethods->iVersion < 3) {  // the shim forwards version 3 methods
    f->real->pMethods->xClose(f->real);
    f->base.pMethods = nullptr;
    return SQLITE_CANTOPEN;
  }
  if (flags & SQLITE_OPEN_WAL) {
    try {
      f->pending = new std::string();
      std::lock_guard lock(g_wal_mutex);
      g_wals->insert(f);
      f->wal = true;
    } catch (const std::bad_alloc&) {
      delete f->pending;
      f->real->pMethods->xClose(f->real);
      f->base.pMethods = nullptr;
      return SQLITE_NOMEM;
    }
  }
  f->base.pMethods = &kMethods;
  return SQLITE_OK;
}

int x_delete(sqlite3_vfs*, const char* name, int sync_dir) { return g_real->xDelete(g_real, name, sync_dir); }
int x_access(sqlite3_vfs*, const char* name, int flags, int* out) { return g_real->xAccess(g_real, name, flags, out); }
int x_full_pathname(sqlite3_vfs*, const char* name, int size, char* out) {
  return g_real->xFullPathname(g_real, name, size, out);
}
void* x_dl_open(sqlite3_vfs*, const char* name) { return g_real->xDlOpen(g_real, name); }
void x_dl_error(sqlite3_vfs*, int size, char* out) { g_real->xDlError(g_real, size, out); }
void (*x_dl_sym(sqlite3_vfs*, void* handle, const char* symbol))(void) { return g_real->xDlSym(g_real, handle, symbol); }
void x_dl_close(sqlite3_vfs*, void* handle) { g_real->xDlClose(g_real, handle); }
int x_randomness(sqlite3_vfs*, int size, char* out) { return g_real->xRandomness(g_real, size, out); }
int x_sleep(sqlite3_vfs*, int micros) { return g_real->xSleep(g_real, micros); }
int x_current_time(sqlite3_vfs*, double* out) { return g_real->xCurrentTime(g_real, out); }
int x_last_error(sqlite3_vfs*, int size, char* out) { return g_real->xGetLastError(g_real, size, out); }
int x_current_time_int64(sqlite3_vfs*, sqlite3_int64* out) { return g_real->xCurrentTimeInt64(g_real, out); }

sqlite3_vfs g_vfs;

}  // namespace

const char* wal_write_buffer_vfs() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_real = sqlite3_vfs_find(nullptr);
    g_wals = new std::set<ShimFile*>();
    g_vfs = sqlite3_vfs{};
    g_vfs.iVersion = 2;
    g_vfs.szOsFile = static_cast<int>(sizeof(ShimFile)) + g_real->szOsFile;
    g_vfs.mxPathname = g_real->mxPathname;
    g_vfs.zName = "carebridge-wal-buffer";
    g_vfs.xOpen = x_open;
    g_vfs.xDelete = x_delete;
    g_vfs.xAccess = x_access;
    g_vfs.xFullPathname = x_full_pathname;
    g_vfs.xDlOpen = x_dl_open;
    g_vfs.xDlError = x_dl_error;
    g_vfs.xDlSym = x_dl_sym;
    g_vfs.xDlClose = x_dl_close;
    g_vfs.xRandomness = x_randomness;
    g_vfs.xSleep = x_sleep;
    g_vfs.xCurrentTime = x_current_time;
    g_vfs.xGetLastError = x_last_error;
    g_vfs.xCurrentTimeInt64 = x_current_time_int64;
    sqlite3_vfs_register(&g_vfs, 0);
  });
  return g_vfs.zName;
}

}  // namespace carebridge::gateway::store
