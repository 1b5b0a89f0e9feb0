//===- Runner.cpp - Child processes that may crash or hang ----------------===//

#include "sora/Tuning/Runner.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace sora {

std::string CommandResult::describe() const {
  switch (status) {
  case Exited:
    return "exit status " + std::to_string(code);
  case Signaled:
    return "killed by signal " + std::to_string(code) + " (" + strsignal(code) +
           ")";
  case TimedOut:
    return "timed out";
  case Interrupted:
    return "interrupted";
  case NotStarted:
    return "could not start: " + output;
  }
  return "";
}

std::string shellCommand(const std::vector<std::string> &argv) {
  std::string text;
  for (const std::string &word : argv) {
    bool plain =
        !word.empty() &&
        word.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                               "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                               "0123456789_-./=:,+%@") == std::string::npos;
    std::string quoted = "'";
    for (char c : word)
      quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    text += (text.empty() ? "" : " ") + (plain ? word : quoted + "'");
  }
  return text;
}

std::string replaceAll(std::string text, const std::string &placeholder,
                       const std::string &value) {
  for (size_t at = text.find(placeholder); at != std::string::npos;
       at = text.find(placeholder, at + value.size()))
    text.replace(at, placeholder.size(), value);
  return text;
}

CommandResult runCommand(const std::vector<std::string> &argv,
                         const std::string &runnerTemplate,
                         double timeoutSeconds, bool (*interrupted)()) {
  CommandResult result;
  std::vector<std::string> words = argv;
  if (!runnerTemplate.empty()) {
    words = {"/bin/sh", "-c",
             replaceAll(runnerTemplate, "{cmd}", shellCommand(argv))};
  }
  std::vector<char *> args;
  for (std::string &word : words)
    args.push_back(word.data());
  args.push_back(nullptr);

  int pipeFds[2];
  if (pipe2(pipeFds, O_CLOEXEC) != 0) {
    result.output = std::strerror(errno);
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipeFds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, pipeFds[1], 2);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // A process group of its own: a timeout kills everything it started, and
  // the terminal's Ctrl-C reaches only the tuner, which then stops it.
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  pid_t pid;
  int spawned =
      posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close(pipeFds[1]);
  if (spawned != 0) {
    close(pipeFds[0]);
    result.output = std::string(args[0]) + ": " + std::strerror(spawned);
    return result;
  }

  auto start = std::chrono::steady_clock::now();
  result.status = CommandResult::Exited;
  bool endOfOutput = false;
  auto drain = [&](int waitMs) {
    if (endOfOutput) {
      usleep(waitMs * 1000);
      return false;
    }
    pollfd fd{pipeFds[0], POLLIN, 0};
    if (poll(&fd, 1, waitMs) <= 0)
      return false;
    char buffer[4096];
    ssize_t n = read(pipeFds[0], buffer, sizeof buffer);
    if (n > 0)
      result.output.append(buffer, (size_t)n);
    endOfOutput = n == 0 || (n < 0 && errno != EINTR);
    return n > 0;
  };
  int status = 0;
  for (;;) {
    double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    if (elapsed > timeoutSeconds || (interrupted && interrupted())) {
      result.status = elapsed > timeoutSeconds ? CommandResult::TimedOut
                                               : CommandResult::Interrupted;
      kill(-pid, SIGKILL);
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    if (!drain(50) && waitpid(pid, &status, WNOHANG) == pid) {
      while (drain(0)) { // what it wrote just before it ended
      }
      break;
    }
  }
  close(pipeFds[0]);
  // Whatever the group left running (a launcher's children) goes too.
  kill(-pid, SIGKILL);
  if (result.status != CommandResult::Exited)
    return result;
  if (WIFSIGNALED(status)) {
    result.status = CommandResult::Signaled;
    result.code = WTERMSIG(status);
  } else {
    result.code = WEXITSTATUS(status);
  }
  return result;
}

} // namespace sora
