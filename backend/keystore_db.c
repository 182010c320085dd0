/*
 * Key storage: the handle, the SQLite connection and its life across
 * fork().
 *
 * The database runs in WAL mode, so readers (servers loading keys) do not
 * wait for a writer.  synchronous=FULL syncs the WAL before a commit
 * returns, so a record written by ibm4767-keys survives a power loss (on
 * storage that honours fsync) and not only a killed process.  NORMAL would
 * keep every commit across a killed process but could lose the last ones
 * on a power loss, and key records are rare, precious writes.  The WAL is
 * persistent (the -wal and -shm files stay when the last connection
 * closes), so a process that may only read the files can still open the
 * database.
 *
 * SQLite connections must not cross fork(): SQLite keeps per-process lock
 * state that a child would inherit but not own.  A pthread_atfork handler
 * therefore closes every connection before fork() (waiting for verbs in
 * progress), and parent and child each reopen on their next verb.  The
 * storage generation (a counter that triggers raise on every change) lets
 * the reopened connection check whether the cached records are current.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <ibm4767/log.h>

#include "keystore_int.h"

/* How long a verb waits for another process's write transaction.  Writes
 * are single-record transactions, so a wait this long means a stuck
 * process rather than load. */
#define KEYSTORE_BUSY_TIMEOUT_MS 10000
#define KEYSTORE_SCHEMA_VERSION  1
#define KEYSTORE_FILE_MODE       0640
#define KEYSTORE_DIR_MODE        0750

static const char keystore_schema[] =
    "CREATE TABLE IF NOT EXISTS key_record ("
    " label TEXT PRIMARY KEY NOT NULL CHECK (length(label) = 64),"
    " key_type INTEGER NOT NULL,"
    " token BLOB NOT NULL,"
    " created INTEGER NOT NULL,"
    " changed INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS storage_generation ("
    " id INTEGER PRIMARY KEY CHECK (id = 1),"
    " value INTEGER NOT NULL);"
    "INSERT OR IGNORE INTO storage_generation VALUES (1, 0);"
    "CREATE TRIGGER IF NOT EXISTS key_record_inserted AFTER INSERT ON"
    " key_record BEGIN"
    " UPDATE storage_generation SET value = value + 1 WHERE id = 1; END;"
    "CREATE TRIGGER IF NOT EXISTS key_record_updated AFTER UPDATE ON"
    " key_record BEGIN"
    " UPDATE storage_generation SET value = value + 1 WHERE id = 1; END;"
    "CREATE TRIGGER IF NOT EXISTS key_record_deleted AFTER DELETE ON"
    " key_record BEGIN"
    " UPDATE storage_generation SET value = value + 1 WHERE id = 1; END;"
    "PRAGMA user_version = 1;";

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t registry_once = PTHREAD_ONCE_INIT;
static struct cca_keystore *registry_head;

void keystore_result(struct cca_result *res, uint32_t rc, uint32_t reason,
                     const char *fmt, ...)
{
    va_list ap;

    if (res == NULL)
        return;
    memset(res, 0, sizeof(*res));
    res->rc = rc;
    res->reason = reason;
    res->device = -1;
    if (fmt == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(res->detail, sizeof(res->detail), fmt, ap);
    va_end(ap);
}

/* Advice for a failed SQLite call, by its primary result code. */
static const char *keystore_sqlite_hint(int code)
{
    switch (code & 0xFF) {
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
        return "check that this user may read the file and its -wal and "
               "-shm files (same group, mode 0640)";
    case SQLITE_READONLY:
        return "this process may only read the file; change key storage "
               "as the owner of the file";
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return "another process held the database locked for too long; "
               "retry, and look for a stuck ibm4767-keys";
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return "the file is damaged or not a key storage database; "
               "restore it from a backup";
    case SQLITE_FULL:
    case SQLITE_IOERR:
        return "check the file system (space, I/O errors)";
    default:
        return "see the SQLite error above";
    }
}

void keystore_sqlite_failure(struct cca_keystore *ks, struct cca_result *res,
                             const char *what)
{
    int code = ks->db != NULL ? sqlite3_extended_errcode(ks->db)
                              : SQLITE_NOMEM;
    const char *msg = ks->db != NULL ? sqlite3_errmsg(ks->db)
                                     : "out of memory";

    keystore_result(res, CCA_RC_SETUP, CCA_RS_HOST_KEY_STORAGE,
                    "key storage %s: %s failed: %s (SQLite code %d); %s",
                    ks->path, what, msg, code, keystore_sqlite_hint(code));
    IBM4767_DEBUG("key storage %s: %s failed: %s (SQLite code %d)",
                  ks->path, what, msg, code);
}

/*
 * Make sure the database file exists: create its directory (one level,
 * mode 0750) and the file itself with mode 0640, whatever the umask.
 * SQLite later creates the -wal and -shm files with the file's mode and,
 * when run as root, its owner and group.
 */
static int keystore_create_file(struct cca_keystore *ks,
                                struct cca_result *res)
{
    int ret = 0;
    int fd = -1;
    char dir[PATH_MAX];

    snprintf(dir, sizeof(dir), "%s", ks->path);
    if (mkdir(dirname(dir), KEYSTORE_DIR_MODE) != 0 && errno != EEXIST) {
        keystore_result(res, CCA_RC_SETUP, CCA_RS_HOST_KEY_STORAGE,
                        "key storage %s: cannot create its directory: %s; "
                        "create the directory or choose another path with "
                        "--key-storage or %s", ks->path, strerror(errno),
                        CCA_KEYSTORE_ENV);
        goto err;
    }

    fd = open(ks->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
              KEYSTORE_FILE_MODE);
    if (fd < 0 && errno == EEXIST) {
        ret = 1;
        goto err;
    }
    if (fd < 0 || fchmod(fd, KEYSTORE_FILE_MODE) != 0) {
        keystore_result(res, CCA_RC_SETUP, CCA_RS_HOST_KEY_STORAGE,
                        "key storage %s: cannot create the file: %s; check "
                        "the directory's permissions or choose another "
                        "path", ks->path, strerror(errno));
        goto err;
    }
    IBM4767_INFO("key storage %s: created (mode %04o)", ks->path,
                 KEYSTORE_FILE_MODE);
    ret = 1;

err:
    if (fd >= 0)
        close(fd);
    return ret;
}

static int keystore_exec(struct cca_keystore *ks, const char *sql,
                         const char *what, struct cca_result *res)
{
    if (sqlite3_exec(ks->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        keystore_sqlite_failure(ks, res, what);
        return 0;
    }
    return 1;
}

static int keystore_query_int(struct cca_keystore *ks, const char *sql,
                              int64_t *value, struct cca_result *res)
{
    int ret = 0;
    sqlite3_stmt *stmt = NULL;

    if (sqlite3_prepare_v2(ks->db, sql, -1, &stmt, NULL) != SQLITE_OK ||
        sqlite3_step(stmt) != SQLITE_ROW) {
        keystore_sqlite_failure(ks, res, sql);
        goto err;
    }
    *value = sqlite3_column_int64(stmt, 0);
    ret = 1;

err:
    sqlite3_finalize(stmt);
    return ret;
}

/* Switch to WAL and create the tables, once, by a process that may write. */
static int keystore_create_schema(struct cca_keystore *ks,
                                  struct cca_result *res)
{
    int ret = 0;
    int in_txn = 0;

    if (!keystore_exec(ks, "PRAGMA journal_mode = WAL", "enabling WAL", res))
        goto err;
    if (!keystore_exec(ks, "BEGIN IMMEDIATE", "starting the schema "
                       "transaction", res))
        goto err;
    in_txn = 1;
    if (!keystore_exec(ks, keystore_schema, "creating the tables", res))
        goto err;
    if (!keystore_exec(ks, "COMMIT", "committing the tables", res))
        goto err;
    in_txn = 0;
    ret = 1;

err:
    if (in_txn)
        sqlite3_exec(ks->db, "ROLLBACK", NULL, NULL, NULL);
    return ret;
}

static int keystore_check_schema(struct cca_keystore *ks,
                                 struct cca_result *res)
{
    int64_t version = 0;

    if (!keystore_query_int(ks, "PRAGMA user_version", &version, res))
        return 0;
    if (version == 0 && (ks->flags & CCA_KEYSTORE_CREATE) &&
        !sqlite3_db_readonly(ks->db, "main")) {
        if (!keystore_create_schema(ks, res))
            return 0;
        version = KEYSTORE_SCHEMA_VERSION;
    }
    if (version != KEYSTORE_SCHEMA_VERSION) {
        keystore_result(res, CCA_RC_SETUP, CCA_RS_HOST_KEY_STORAGE,
                        "key storage %s: schema version %lld, expected %d; "
                        "the file is not an ibm4767 key storage database "
                        "or was made by another release",
                        ks->path, (long long)version,
                        KEYSTORE_SCHEMA_VERSION);
        return 0;
    }
    return 1;
}

static int keystore_prepare(struct cca_keystore *ks, const char *sql,
                            sqlite3_stmt **stmt, struct cca_result *res)
{
    if (sqlite3_prepare_v3(ks->db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt,
                           NULL) != SQLITE_OK) {
        keystore_sqlite_failure(ks, res, "preparing a statement");
        return 0;
    }
    return 1;
}

static int keystore_db_open(struct cca_keystore *ks, struct cca_result *res)
{
    int ret = 0;
    int persist_wal = 1;
    struct stat st;

    if (ks->flags & CCA_KEYSTORE_CREATE) {
        if (!keystore_create_file(ks, res))
            goto err;
    } else if (stat(ks->path, &st) != 0) {
        keystore_result(res, CCA_RC_SETUP, CCA_RS_HOST_KEY_STORAGE,
                        "key storage %s: %s; store a key with "
                        "`ibm4767-keys generate`, or point the provider's "
                        "key-storage setting or %s at the database",
                        ks->path, strerror(errno), CCA_KEYSTORE_ENV);
        goto err;
    }

    /* READWRITE falls back to read-only when the file is not writable. */
    if (sqlite3_open_v2(ks->path, &ks->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        keystore_sqlite_failure(ks, res, "opening the database");
        goto err;
    }
    sqlite3_extended_result_codes(ks->db, 1);
    sqlite3_busy_timeout(ks->db, KEYSTORE_BUSY_TIMEOUT_MS);
    sqlite3_file_control(ks->db, "main", SQLITE_FCNTL_PERSIST_WAL,
                         &persist_wal);

    if (!keystore_check_schema(ks, res))
        goto err;
    if (!keystore_exec(ks, "PRAGMA synchronous = FULL", "setting "
                       "synchronous", res))
        goto err;
    if (!keystore_prepare(ks, "PRAGMA data_version", &ks->stmt_data_version,
                          res) ||
        !keystore_prepare(ks, "SELECT value FROM storage_generation "
                          "WHERE id = 1", &ks->stmt_generation, res) ||
        !keystore_prepare(ks, "SELECT key_type, token, created, changed "
                          "FROM key_record WHERE label = ?1",
                          &ks->stmt_select, res))
        goto err;

    ks->db_pid = getpid();
    ks->data_version = -1;
    IBM4767_DEBUG("key storage %s: opened %s, host record cache %s",
                  ks->path,
                  sqlite3_db_readonly(ks->db, "main") ? "read-only"
                                                      : "read-write",
                  ks->cache_enabled ? "on" : "off (CSUCACHE)");
    ret = 1;

err:
    if (!ret)
        keystore_db_close(ks);
    return ret;
}

void keystore_db_close(struct cca_keystore *ks)
{
    sqlite3_finalize(ks->stmt_data_version);
    sqlite3_finalize(ks->stmt_generation);
    sqlite3_finalize(ks->stmt_select);
    ks->stmt_data_version = NULL;
    ks->stmt_generation = NULL;
    ks->stmt_select = NULL;
    sqlite3_close_v2(ks->db);
    ks->db = NULL;
}

int keystore_db_ensure(struct cca_keystore *ks, struct cca_result *res)
{
    if (ks->db != NULL && ks->db_pid == getpid())
        return 1;

    if (ks->db != NULL) {
        /*
         * Only a fork that bypassed the atfork handlers (a raw clone)
         * gets here.  Closing the parent's connection could disturb the
         * parent's locks, so the child leaves it alone and opens its own.
         */
        IBM4767_WARN("key storage %s: process %ld inherited a connection "
                     "from process %ld; opening a new one", ks->path,
                     (long)getpid(), (long)ks->db_pid);
        ks->db = NULL;
        ks->stmt_data_version = NULL;
        ks->stmt_generation = NULL;
        ks->stmt_select = NULL;
    }
    return keystore_db_open(ks, res);
}

int keystore_db_generation(struct cca_keystore *ks, int64_t *generation,
                           struct cca_result *res)
{
    int rc = sqlite3_step(ks->stmt_generation);

    if (rc == SQLITE_ROW)
        *generation = sqlite3_column_int64(ks->stmt_generation, 0);
    sqlite3_reset(ks->stmt_generation);
    if (rc != SQLITE_ROW) {
        keystore_sqlite_failure(ks, res, "reading the storage generation");
        return 0;
    }
    return 1;
}

/* Before fork(): wait for every verb in progress, then close every
 * connection so that no SQLite lock state crosses into the child. */
static void keystore_atfork_prepare(void)
{
    pthread_mutex_lock(&registry_lock);
    for (struct cca_keystore *ks = registry_head; ks != NULL;
         ks = ks->next_open) {
        pthread_mutex_lock(&ks->lock);
        if (ks->db != NULL && ks->db_pid == getpid())
            keystore_db_close(ks);
    }
}

static void keystore_atfork_release(void)
{
    for (struct cca_keystore *ks = registry_head; ks != NULL;
         ks = ks->next_open)
        pthread_mutex_unlock(&ks->lock);
    pthread_mutex_unlock(&registry_lock);
}

/* glibc drops handlers registered from a shared object when it is
 * unloaded, so a dlclose() of the provider leaves no dangling handler. */
static void keystore_register_atfork(void)
{
    pthread_atfork(keystore_atfork_prepare, keystore_atfork_release,
                   keystore_atfork_release);
}

void keystore_registry_add(struct cca_keystore *ks)
{
    pthread_once(&registry_once, keystore_register_atfork);
    pthread_mutex_lock(&registry_lock);
    ks->next_open = registry_head;
    registry_head = ks;
    pthread_mutex_unlock(&registry_lock);
}

void keystore_registry_remove(struct cca_keystore *ks)
{
    pthread_mutex_lock(&registry_lock);
    for (struct cca_keystore **p = &registry_head; *p != NULL;
         p = &(*p)->next_open) {
        if (*p == ks) {
            *p = ks->next_open;
            break;
        }
    }
    pthread_mutex_unlock(&registry_lock);
}

static int keystore_cache_allowed(void)
{
    const char *value = getenv("CSUCACHE");

    return value == NULL || (value[0] != 'N' && value[0] != 'n');
}

struct cca_keystore *cca_keystore_new(const char *path, unsigned flags)
{
    struct cca_keystore *ks;

    if (path == NULL || path[0] == '\0' || strlen(path) >= PATH_MAX)
        return NULL;
    ks = OPENSSL_zalloc(sizeof(*ks));
    if (ks == NULL)
        return NULL;
    if (pthread_mutex_init(&ks->lock, NULL) != 0) {
        OPENSSL_free(ks);
        return NULL;
    }
    snprintf(ks->path, sizeof(ks->path), "%s", path);
    ks->flags = flags;
    ks->cache_enabled = !(flags & CCA_KEYSTORE_NO_CACHE)
                        && keystore_cache_allowed();
    ks->cache_generation = -1;
    keystore_registry_add(ks);
    return ks;
}

void cca_keystore_free(struct cca_keystore *ks)
{
    if (ks == NULL)
        return;
    keystore_registry_remove(ks);
    keystore_cache_flush(ks);
    if (ks->db_pid == getpid())
        keystore_db_close(ks);
    pthread_mutex_destroy(&ks->lock);
    OPENSSL_free(ks);
}

const char *cca_keystore_path(const struct cca_keystore *ks)
{
    return ks->path;
}

const char *cca_keystore_choose_path(const char *configured)
{
    const char *env = getenv(CCA_KEYSTORE_ENV);

    if (env != NULL && env[0] != '\0')
        return env;
    if (configured != NULL && configured[0] != '\0')
        return configured;
    return CCA_KEYSTORE_DEFAULT_PATH;
}
