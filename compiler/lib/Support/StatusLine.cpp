//===- StatusLine.cpp - A progress line on a terminal ---------------------===//

#include "sora/Support/StatusLine.h"

#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cstdlib>
#include <mutex>

namespace sora {
namespace {

struct Status {
  std::mutex mutex;
  const char *tool = "soracc";
  std::chrono::steady_clock::time_point start =
      std::chrono::steady_clock::now();
  std::chrono::milliseconds delay{2000};
  bool shown = false;
};

Status &status() {
  static Status instance;
  return instance;
}

/// Terminal control: carriage return, then erase to the end of the line.
constexpr const char *kEraseLine = "\r\x1b[K";

} // namespace

void startStatus(const char *tool) {
  Status &s = status();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.tool = tool;
  s.start = std::chrono::steady_clock::now();
  // SORA_PROGRESS_AFTER_MS: how long before the line appears (tests: 0).
  if (const char *after = std::getenv("SORA_PROGRESS_AFTER_MS"))
    s.delay = std::chrono::milliseconds(std::strtol(after, nullptr, 10));
}

void showStatus(const std::string &text) {
  Status &s = status();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (!llvm::errs().is_displayed() ||
      std::chrono::steady_clock::now() - s.start < s.delay)
    return;
  llvm::errs() << kEraseLine << s.tool << ": " << text;
  llvm::errs().flush();
  s.shown = true;
}

void clearStatus() {
  Status &s = status();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (!s.shown)
    return;
  llvm::errs() << kEraseLine;
  llvm::errs().flush();
  s.shown = false;
}

} // namespace sora
