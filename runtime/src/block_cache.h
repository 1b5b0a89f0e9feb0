//===- block_cache.h - Aligned scratch blocks, cached per model -*- C -*-===//
//
// Backs halide_malloc/halide_free: freed blocks are kept and handed out again,
// so steady-state runs never return memory to the OS or fault in fresh pages.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_RUNTIME_BLOCK_CACHE_H
#define SORA_RUNTIME_BLOCK_CACHE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Alignment of every block (Halide asks for at least the vector size).
#define SORA_BLOCK_ALIGNMENT 128

typedef struct sora_block_cache_t sora_block_cache_t;

/// Creates an empty cache; NULL when out of memory.
sora_block_cache_t *sora_block_cache_create(void);

/// Frees the cache and every block it holds. Blocks still in use must not be
/// returned to it afterwards. NULL is a no-op.
void sora_block_cache_release(sora_block_cache_t *cache);

/// Returns a SORA_BLOCK_ALIGNMENT-aligned block of at least `size` bytes,
/// reusing a cached one when it fits, or NULL when out of memory.
/// `cache` may be NULL (plain aligned allocation). Thread-safe.
void *sora_block_alloc(sora_block_cache_t *cache, size_t size);

/// Returns `block` (from sora_block_alloc with any cache, or NULL) to `cache`,
/// or frees it when `cache` is NULL or full. Thread-safe.
void sora_block_free(sora_block_cache_t *cache, void *block);

#ifdef __cplusplus
}
#endif

#endif // SORA_RUNTIME_BLOCK_CACHE_H
