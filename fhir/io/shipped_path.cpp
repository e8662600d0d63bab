#include "fhir/io/shipped_path.h"

#include <cstdlib>

namespace carebridge::fhir::io {

namespace fs = std::filesystem;

fs::path shipped_path(const char* env, std::initializer_list<fs::path> beside, const fs::path& built,
                      const std::function<bool(const fs::path&)>& usable) {
  if (const char* value = std::getenv(env); value && *value) return value;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec)
    for (const fs::path& relative : beside) {
      fs::path candidate = (exe.parent_path() / relative).lexically_normal();
      if (usable ? usable(candidate) : fs::exists(candidate, ec)) return candidate;
    }
  return built;
}

}  // namespace carebridge::fhir::io
