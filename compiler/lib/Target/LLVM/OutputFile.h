//===- OutputFile.h - Errors of the object files this target writes -------===//
//
// The object writers open a plain stream on their path (the caller's scratch
// files own its removal) and report a failed open or write alike.
//
//===----------------------------------------------------------------------===//

#ifndef SORA_TARGET_LLVM_OUTPUTFILE_H
#define SORA_TARGET_LLVM_OUTPUTFILE_H

#include "llvm/Support/raw_ostream.h"

#include <string>
#include <system_error>

namespace sora {

inline std::string cannotWrite(const std::string &path, std::error_code ec) {
  return "cannot write '" + path + "': " + ec.message();
}

/// Closes out, which wrote path: false, with error set, when any write
/// failed (the stream's error is cleared, so it does not abort on
/// destruction).
inline bool closeChecked(llvm::raw_fd_ostream &out, const std::string &path,
                         std::string &error) {
  out.close();
  if (!out.has_error())
    return true;
  error = cannotWrite(path, out.error());
  out.clear_error();
  return false;
}

} // namespace sora

#endif // SORA_TARGET_LLVM_OUTPUTFILE_H
