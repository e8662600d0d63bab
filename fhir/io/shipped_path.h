// Where a file or folder shipped with Carebridge (definitions, maps, topics, rules, specs)
// is found: the environment variable naming it, else beside the executable (an installed
// copy) or in the source tree above the build folder, else where it was when built.
#pragma once

#include <filesystem>
#include <functional>
#include <initializer_list>
#include <string>

namespace carebridge::fhir::io {

// `env`: the variable that overrides; `beside`: names relative to the executable's
// folder, tried in order; `usable` decides a candidate (default: it exists); `built`:
// the path compiled in.
std::filesystem::path shipped_path(const char* env, std::initializer_list<std::filesystem::path> beside,
                                   const std::filesystem::path& built,
                                   const std::function<bool(const std::filesystem::path&)>& usable = {});

}  // namespace carebridge::fhir::io
