//===- Runner.h - Child processes that may crash or hang --------*- C++ -*-===//
//
// sora-tune compiles and times every candidate in a child process: a
// candidate that crashes, hangs or fails costs that candidate, never the
// tuner. A runner command template (`--runner-cmd 'ssh {host} {cmd}'`,
// `srun -N1 {cmd}`) runs each command through another launcher (the tuner
// fills in {host}). Plain C++
// on POSIX.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_TUNING_RUNNER_H
#define SORA_TUNING_RUNNER_H

#include <string>
#include <vector>

namespace sora {

struct CommandResult {
  enum Status { Exited, Signaled, TimedOut, Interrupted, NotStarted };
  Status status = NotStarted;
  int code = 0;       ///< exit status, or the signal
  std::string output; ///< stdout and stderr, interleaved

  bool ok() const { return status == Exited && code == 0; }
  /// "exit status 1", "killed by signal 11 (Segmentation fault)", ...
  std::string describe() const;
};

/// `argv` as one shell word list: each word quoted where it must be.
std::string shellCommand(const std::vector<std::string> &argv);

/// `text` with every `placeholder` ("{cmd}", "{host}") replaced by `value`
/// (which is not searched again).
std::string replaceAll(std::string text, const std::string &placeholder,
                       const std::string &value);

/// Runs `argv` (through `/bin/sh -c` with `{cmd}` in `runnerTemplate`
/// replaced by the quoted command, when the template is not empty) in a
/// process group of its own, collecting its output; after `timeoutSeconds`
/// the group is killed. `interrupted()` is polled while it runs: when it
/// turns true the group is killed too and the result says Interrupted.
CommandResult runCommand(const std::vector<std::string> &argv,
                         const std::string &runnerTemplate,
                         double timeoutSeconds, bool (*interrupted)());

} // namespace sora

#endif // SORA_TUNING_RUNNER_H
