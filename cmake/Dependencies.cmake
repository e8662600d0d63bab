# Third-party libraries, all from Debian 12 packages (scripts/setup installs them).
find_package(LibXml2 REQUIRED)
find_package(LibArchive REQUIRED)
find_package(ZLIB REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED)
find_path(RAPIDJSON_INCLUDE_DIR rapidjson/document.h REQUIRED)

add_library(carebridge_rapidjson INTERFACE)
target_include_directories(carebridge_rapidjson SYSTEM INTERFACE "${RAPIDJSON_INCLUDE_DIR}")
target_compile_definitions(carebridge_rapidjson INTERFACE RAPIDJSON_HAS_STDSTRING=1)
# RapidJSON's SSE2 scans read aligned 16-byte blocks past the end of the text (safe: never
# across a page), which AddressSanitizer reports; sanitized builds use the plain loops.
if(NOT CAREBRIDGE_SANITIZE AND NOT CAREBRIDGE_FUZZ)
  target_compile_definitions(carebridge_rapidjson INTERFACE RAPIDJSON_SSE2=1)
endif()

if(CAREBRIDGE_TESTS)
  find_package(Catch2 2 REQUIRED)
endif()
if(CAREBRIDGE_BENCH)
  find_package(benchmark QUIET)
endif()
