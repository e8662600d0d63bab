# Compile settings shared by every Carebridge target: warnings (as errors by
# default) for the project's own code and the optional sanitizers.
function(carebridge_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12 reports false positives on std::string concatenation (GCC bugs 105329, 105651).
    target_compile_options(${target} PRIVATE -Wno-stringop-overflow -Wno-restrict -Wno-array-bounds)
  endif()
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    # RapidJSON 1.1's iterator comparisons are ambiguous under C++20's reversed operators.
    target_compile_options(${target} PRIVATE -Wno-ambiguous-reversed-operator)
  endif()
  if(CAREBRIDGE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(CAREBRIDGE_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      # GCC 12 with the sanitizers reports libstdc++'s std::regex/std::function as
      # maybe-uninitialized (false positives).
      target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized)
    endif()
    target_link_options(${target} PUBLIC -fsanitize=address,undefined)
  endif()
endfunction()

# The programs that serve and measure (the carebridge executable, the benchmarks) allocate
# per element when they map, parse and validate; tcmalloc's thread caches make that cheaper
# (the food-bank intake's read + map + validate 15-30% faster, measured with LD_PRELOAD in
# one run). Debian's libtcmalloc-minimal4 (scripts/setup installs it); without it, or with
# the sanitizers (which bring their own allocator), glibc's malloc.
find_library(CAREBRIDGE_TCMALLOC NAMES tcmalloc_minimal libtcmalloc_minimal.so.4)
function(carebridge_fast_allocator target)
  if(CAREBRIDGE_TCMALLOC AND NOT CAREBRIDGE_SANITIZE)
    target_link_libraries(${target} PRIVATE ${CAREBRIDGE_TCMALLOC})
  endif()
endfunction()
