/*
 * Message bodies copied from the embedded store's `message_blobs` table into memory the server reuses.
 *
 * better-sqlite3 returns every BLOB as a new Buffer. A download (pipelined BODY[] FETCHes, POP3 RETRs)
 * then allocates its whole volume outside V8's heap, megabytes a second: the fresh pages fault in, and
 * every 64 MB of such memory V8 runs a full garbage collection (docs/performance.md, "Bodies read into
 * reused memory"). This one shared object is both:
 *   - a Node.js addon (N-API) with setTarget(buffer) and clearTarget(): the memory the next reads fill;
 *   - an SQLite extension, loaded into the store's own connection (Database.loadExtension with the entry
 *     point postfach_sqlite_init), defining postfach_copy_into(blob, offset): copies its BLOB argument to
 *     the target at `offset` and returns its length, or -1 when it does not fit (or no target is set).
 * The two halves share the target through a thread-local variable (dlopen of one path gives one copy of
 * this object's state): SQL never sees an address, and the function writes only inside the buffer the
 * JavaScript side registered, which is kept alive by a reference while registered.
 */
#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT1

/* The registered target of this thread (each worker thread has its own connections and target). */
static __thread unsigned char *target_bytes = NULL;
static __thread size_t target_length = 0;

static void copy_into(sqlite3_context *context, int argc, sqlite3_value **argv) {
  (void)argc;
  int offset_type = sqlite3_value_type(argv[1]);
  if (sqlite3_value_type(argv[0]) != SQLITE_BLOB ||
      (offset_type != SQLITE_INTEGER && offset_type != SQLITE_FLOAT)) {
    sqlite3_result_error(context, "postfach_copy_into(blob, offset)", -1);
    return;
  }
  /* better-sqlite3 binds a JavaScript number as a double: a whole one is taken as the integer it is. */
  double offset_number = sqlite3_value_double(argv[1]);
  sqlite3_int64 offset = sqlite3_value_int64(argv[1]);
  if (offset_type == SQLITE_FLOAT && (double)offset != offset_number) offset = -1;
  const void *bytes = sqlite3_value_blob(argv[0]);
  size_t length = (size_t)sqlite3_value_bytes(argv[0]);
  if (target_bytes == NULL || offset < 0 || (size_t)offset > target_length ||
      length > target_length - (size_t)offset) {
    sqlite3_result_int(context, -1);
    return;
  }
  if (length > 0) memcpy(target_bytes + offset, bytes, length);
  sqlite3_result_int64(context, (sqlite3_int64)length);
}

int postfach_sqlite_init(sqlite3 *db, char **error, const sqlite3_api_routines *api) {
  (void)error;
  SQLITE_EXTENSION_INIT2(api);
  /* DIRECTONLY: not callable from triggers or views a database file might carry. */
  return sqlite3_create_function(db, "postfach_copy_into", 2, SQLITE_UTF8 | SQLITE_DIRECTONLY, NULL,
                                 copy_into, NULL, NULL);
}

/* The reference that keeps the registered target alive, one per Node.js environment (thread). */
typedef struct {
  napi_ref target;
} AddonState;

static void free_state(napi_env env, void *data, void *hint) {
  (void)hint;
  AddonState *state = data;
  if (state->target != NULL) napi_delete_reference(env, state->target);
  target_bytes = NULL;
  target_length = 0;
  free(state);
}

static napi_value throw_type_error(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

static napi_status forget_target(napi_env env, AddonState *state) {
  target_bytes = NULL;
  target_length = 0;
  if (state->target == NULL) return napi_ok;
  napi_status status = napi_delete_reference(env, state->target);
  state->target = NULL;
  return status;
}

/* setTarget(bytes: Uint8Array): the memory postfach_copy_into fills from now on. */
static napi_value set_target(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  AddonState *state;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (napi_get_instance_data(env, (void **)&state) != napi_ok || state == NULL) return NULL;
  bool is_typed_array = false;
  if (argc < 1 || napi_is_typedarray(env, argv[0], &is_typed_array) != napi_ok || !is_typed_array) {
    return throw_type_error(env, "setTarget expects a Uint8Array");
  }
  napi_typedarray_type type;
  size_t length;
  void *data;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL) != napi_ok) return NULL;
  if (type != napi_uint8_array) return throw_type_error(env, "setTarget expects a Uint8Array");
  if (forget_target(env, state) != napi_ok) return NULL;
  if (napi_create_reference(env, argv[0], 1, &state->target) != napi_ok) return NULL;
  target_bytes = data;
  target_length = length;
  return NULL;
}

/* clearTarget(): no memory is filled until the next setTarget. */
static napi_value clear_target(napi_env env, napi_callback_info info) {
  (void)info;
  AddonState *state;
  if (napi_get_instance_data(env, (void **)&state) != napi_ok || state == NULL) return NULL;
  forget_target(env, state);
  return NULL;
}

NAPI_MODULE_INIT() {
  AddonState *state = calloc(1, sizeof(AddonState));
  if (state == NULL || napi_set_instance_data(env, state, free_state, NULL) != napi_ok) {
    free(state);
    napi_throw_error(env, NULL, "postfach_native: out of memory");
    return NULL;
  }
  napi_property_descriptor properties[] = {
      {"setTarget", NULL, set_target, NULL, NULL, NULL, napi_default, NULL},
      {"clearTarget", NULL, clear_target, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, 2, properties) != napi_ok) return NULL;
  return exports;
}
