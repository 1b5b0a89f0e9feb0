//===- StatusLine.h - A progress line on a terminal -------------*- C++ -*-===//
#ifndef SORA_SUPPORT_STATUSLINE_H
#define SORA_SUPPORT_STATUSLINE_H

#include <string>

namespace sora {

/// Shows "<tool>: <text>" on stderr's last line while a long compile runs:
/// only when stderr is a terminal and the compile has run for two seconds
/// ($SORA_PROGRESS_AFTER_MS milliseconds if set), rewritten in place.
/// Thread-safe.
void showStatus(const std::string &text);

/// Erases the line (before a diagnostic is printed, and when done).
void clearStatus();

/// Names the tool the line is for and starts the two-second clock.
void startStatus(const char *tool);

} // namespace sora

#endif
