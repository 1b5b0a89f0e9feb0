//===- block_cache.c - Aligned scratch blocks, cached per model -----------===//
//
// Layout of a block: [base ... capacity | user bytes ...], where the user
// pointer is base + SORA_BLOCK_ALIGNMENT and the size_t just before it holds
// the block's capacity. A free block is reused for any request it can hold
// without wasting more than half of it.
//
//===----------------------------------------------------------------------===//

#include "block_cache.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

/// Blocks kept per cache; a model has a handful of live scratch buffers.
#define MAX_CACHED_BLOCKS 32

struct sora_block_cache_t {
  pthread_mutex_t mutex;
  int count;
  void *blocks[MAX_CACHED_BLOCKS];
};

static size_t *capacity_slot(void *block) { return (size_t *)block - 1; }

static void *base_of(void *block) {
  return (char *)block - SORA_BLOCK_ALIGNMENT;
}

static void *allocate_block(size_t size) {
  if (size > SIZE_MAX / 2)
    return NULL;
  size_t capacity = (size + 63) & ~(size_t)63;
  if (capacity == 0)
    capacity = 64;
  void *base = NULL;
  if (posix_memalign(&base, SORA_BLOCK_ALIGNMENT,
                     SORA_BLOCK_ALIGNMENT + capacity) != 0)
    return NULL;
  void *block = (char *)base + SORA_BLOCK_ALIGNMENT;
  *capacity_slot(block) = capacity;
  return block;
}

sora_block_cache_t *sora_block_cache_create(void) {
  sora_block_cache_t *cache = calloc(1, sizeof(*cache));
  if (cache)
    pthread_mutex_init(&cache->mutex, NULL);
  return cache;
}

void sora_block_cache_release(sora_block_cache_t *cache) {
  if (!cache)
    return;
  for (int i = 0; i < cache->count; ++i)
    free(base_of(cache->blocks[i]));
  pthread_mutex_destroy(&cache->mutex);
  free(cache);
}

void *sora_block_alloc(sora_block_cache_t *cache, size_t size) {
  if (cache) {
    pthread_mutex_lock(&cache->mutex);
    int best = -1;
    size_t best_capacity = SIZE_MAX;
    for (int i = 0; i < cache->count; ++i) {
      size_t capacity = *capacity_slot(cache->blocks[i]);
      if (capacity >= size && capacity / 2 <= size &&
          capacity < best_capacity) {
        best = i;
        best_capacity = capacity;
      }
    }
    void *block = NULL;
    if (best >= 0) {
      block = cache->blocks[best];
      cache->blocks[best] = cache->blocks[--cache->count];
    }
    pthread_mutex_unlock(&cache->mutex);
    if (block)
      return block;
  }
  return allocate_block(size);
}

void sora_block_free(sora_block_cache_t *cache, void *block) {
  if (!block)
    return;
  if (cache) {
    pthread_mutex_lock(&cache->mutex);
    bool kept = cache->count < MAX_CACHED_BLOCKS;
    if (kept)
      cache->blocks[cache->count++] = block;
    pthread_mutex_unlock(&cache->mutex);
    if (kept)
      return;
  }
  free(base_of(block));
}
