//===- cpu_features.c - Host CPU feature checks ---------------------------===//
//
// x86-64: cpuid for the instructions plus xgetbv for the OS-enabled register
// state (AVX needs XMM+YMM state, AVX-512 also opmask and ZMM state).
// AArch64: the kernel's hwcaps (NEON is baseline).
//
//===----------------------------------------------------------------------===//

#include "cpu_features.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>

enum { EAX, EBX, ECX, EDX };

/// XCR0 bits the OS must enable for a feature's registers.
#define STATE_NONE 0u
#define STATE_AVX 0x6u     // XMM, YMM
#define STATE_AVX512 0xe6u // XMM, YMM, opmask, ZMM_Hi256, Hi16_ZMM

typedef struct feature_t {
  const char *name;
  unsigned leaf, subleaf, reg, bit, state;
} feature_t;

static const feature_t kFeatures[] = {
    {"sse4.1", 1, 0, ECX, 19, STATE_NONE},
    {"sse4.2", 1, 0, ECX, 20, STATE_NONE},
    {"popcnt", 1, 0, ECX, 23, STATE_NONE},
    {"fma", 1, 0, ECX, 12, STATE_AVX},
    {"avx", 1, 0, ECX, 28, STATE_AVX},
    {"f16c", 1, 0, ECX, 29, STATE_AVX},
    {"bmi1", 7, 0, EBX, 3, STATE_NONE},
    {"avx2", 7, 0, EBX, 5, STATE_AVX},
    {"bmi2", 7, 0, EBX, 8, STATE_NONE},
    {"avx512f", 7, 0, EBX, 16, STATE_AVX512},
    {"avx512dq", 7, 0, EBX, 17, STATE_AVX512},
    {"avx512ifma", 7, 0, EBX, 21, STATE_AVX512},
    {"avx512cd", 7, 0, EBX, 28, STATE_AVX512},
    {"avx512bw", 7, 0, EBX, 30, STATE_AVX512},
    {"avx512vl", 7, 0, EBX, 31, STATE_AVX512},
    {"avx512vbmi", 7, 0, ECX, 1, STATE_AVX512},
    {"avx512vbmi2", 7, 0, ECX, 6, STATE_AVX512},
    {"avx512vnni", 7, 0, ECX, 11, STATE_AVX512},
    {"avx512bitalg", 7, 0, ECX, 12, STATE_AVX512},
    {"avx512vpopcntdq", 7, 0, ECX, 14, STATE_AVX512},
    {"avx512fp16", 7, 0, EDX, 23, STATE_AVX512},
    {"avxvnni", 7, 1, EAX, 4, STATE_AVX},
    {"avx512bf16", 7, 1, EAX, 5, STATE_AVX512},
};

static uint64_t os_enabled_state(void) {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27))) // OSXSAVE
    return 0;
  uint32_t lo, hi;
  __asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return ((uint64_t)hi << 32) | lo;
}

static bool host_has(const feature_t *feature) {
  unsigned regs[4];
  if (!__get_cpuid_count(feature->leaf, feature->subleaf, &regs[EAX],
                         &regs[EBX], &regs[ECX], &regs[EDX]))
    return false;
  if (!(regs[feature->reg] & (1u << feature->bit)))
    return false;
  return (os_enabled_state() & feature->state) == feature->state;
}

#elif defined(__aarch64__)
#include <sys/auxv.h>

typedef struct feature_t {
  const char *name;
  unsigned long auxv_type, mask;
} feature_t;

// Bit values from the kernel's uapi asm/hwcap.h.
static const feature_t kFeatures[] = {
    {"neon", AT_HWCAP, 1ul << 1},     // HWCAP_ASIMD
    {"fp16", AT_HWCAP, 1ul << 10},    // HWCAP_ASIMDHP
    {"dotprod", AT_HWCAP, 1ul << 20}, // HWCAP_ASIMDDP
    {"sve", AT_HWCAP, 1ul << 22},     // HWCAP_SVE
    {"i8mm", AT_HWCAP2, 1ul << 13},   // HWCAP2_I8MM
    {"bf16", AT_HWCAP2, 1ul << 14},   // HWCAP2_BF16
};

static bool host_has(const feature_t *feature) {
  return (getauxval(feature->auxv_type) & feature->mask) == feature->mask;
}

#else
#error "sora runtime: unsupported architecture"
#endif

static const feature_t *find_feature(const char *name, size_t length) {
  for (size_t i = 0; i < sizeof(kFeatures) / sizeof(kFeatures[0]); ++i)
    if (strlen(kFeatures[i].name) == length &&
        memcmp(kFeatures[i].name, name, length) == 0)
      return &kFeatures[i];
  return NULL;
}

bool sora_cpu_supports(const char *features, char *why, size_t why_size) {
  char missing[256] = "";
  size_t used = 0;
  for (const char *p = features; p && *p;) {
    while (*p == ',' || *p == ' ')
      ++p;
    size_t length = strcspn(p, ", ");
    if (length == 0)
      break;
    const feature_t *feature = find_feature(p, length);
    if (!feature) {
      snprintf(why, why_size, "unknown CPU feature '%.*s'", (int)length, p);
      return false;
    }
    if (!host_has(feature) && used < sizeof(missing)) {
      int n = snprintf(missing + used, sizeof(missing) - used, "%s%s",
                       used ? ", " : "", feature->name);
      used += n > 0 ? (size_t)n : 0;
    }
    p += length;
  }
  if (used == 0)
    return true;
  snprintf(why, why_size, "missing %s", missing);
  return false;
}
