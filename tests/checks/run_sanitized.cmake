# The checks.sanitized test (registered by register.cmake): configures BINARY_DIR as a build of
# SOURCE_DIR with XGRAD_SANITIZE=ON, builds it and runs its ctest. Run by hand with
#   cmake -D SOURCE_DIR=<xgrad> -D BINARY_DIR=<folder> -P run_sanitized.cmake
# Other inputs: GENERATOR, CXX_COMPILER, PREFIX_PATH (`|`-separated), WARNINGS_AS_ERRORS, JOBS.
#
# It prints little when everything passes. When something fails it prints the failing step's
# output; for the tests, only the failing ones' output (with their sanitizer reports) and the
# summary, so the report is never lost among passing tests or cut off by CTest's output limit.
cmake_minimum_required(VERSION 3.25)

foreach(var SOURCE_DIR BINARY_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_sanitized.cmake: -D ${var}=… is required")
  endif()
endforeach()
if(NOT JOBS)
  set(JOBS 2)
endif()
string(REPLACE "|" ";" prefixes "${PREFIX_PATH}")
string(REPLACE ";" "\\;" prefixes "${prefixes}")

# RelWithDebInfo, at -Og with line tables only (-g1): reports' stack traces have file and line
# and few frames inlined away, and GCC compiles the project in about 40% of the time -O2 -g
# takes (measured: 5.7 instead of 14 CPU-minutes), which keeps CI within its budget.
set(configure_args
  -S ${SOURCE_DIR} -B ${BINARY_DIR}
  -DCMAKE_BUILD_TYPE=RelWithDebInfo
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-Og -g1 -DNDEBUG"
  -DXGRAD_SANITIZE=ON
  -DXGRAD_BUILD_TESTS=ON -DXGRAD_BUILD_EXAMPLES=ON -DXGRAD_BUILD_BENCH=OFF -DXGRAD_INSTALL=OFF
  -DXGRAD_CHECK_SANITIZED=OFF -DXGRAD_CHECK_VALGRIND=OFF
  "-DCMAKE_PREFIX_PATH=${prefixes}"
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
if(WARNINGS_AS_ERRORS)
  list(APPEND configure_args -DCMAKE_COMPILE_WARNING_AS_ERROR=ON)
endif()
if(GENERATOR)
  list(APPEND configure_args -G ${GENERATOR})
endif()
if(CXX_COMPILER)
  list(APPEND configure_args -DCMAKE_CXX_COMPILER=${CXX_COMPILER})
endif()

# Runs one step with its output captured; on failure prints it and stops the test.
function(step what)
  string(TIMESTAMP start "%s")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE out)
  string(TIMESTAMP stop "%s")
  math(EXPR seconds "${stop} - ${start}")
  if(NOT status EQUAL 0)
    message("${out}")
    message(FATAL_ERROR "checks.sanitized: ${what} failed (${status}) after ${seconds} s")
  endif()
  message(STATUS "checks.sanitized: ${what}: ${seconds} s")
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

step("configuring ${BINARY_DIR}" ${CMAKE_COMMAND} ${configure_args})
step("building" ${CMAKE_COMMAND} --build ${BINARY_DIR} --parallel ${JOBS})

# Every test the sanitized tree registers, except packaging (it builds unsanitized consumers).
# Full size, with one exception: the random-graph fuzzer checks 2,000 graphs here instead of
# 10,000 (about 15 times slower sanitized, it would take minutes); the unsanitized build runs
# all 10,000. Set XGRAD_FUZZ_GRAPHS before running this script to choose another number.
if(NOT DEFINED ENV{XGRAD_FUZZ_GRAPHS})
  set(ENV{XGRAD_FUZZ_GRAPHS} 2000)
endif()
string(TIMESTAMP start "%s")
execute_process(
  COMMAND ${CMAKE_CTEST_COMMAND} --test-dir ${BINARY_DIR} --output-on-failure --no-tests=error
          --label-exclude package --parallel ${JOBS} --timeout 900
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE out)
string(TIMESTAMP stop "%s")
math(EXPR seconds "${stop} - ${start}")

# The figures: how many tests ran, and the summary line.
string(REGEX MATCH "[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+" summary "${out}")
if(status EQUAL 0)
  message(STATUS "checks.sanitized: testing: ${seconds} s, ${summary} (XGRAD_FUZZ_GRAPHS=$ENV{XGRAD_FUZZ_GRAPHS})")
  return()
endif()

# Drop the passing tests' lines; keep everything else (failures, their output, the summary).
string(REGEX REPLACE "\n *Start +[0-9]+: [^\n]*" "" out "\n${out}")
string(REGEX REPLACE "\n *[0-9]+/[0-9]+ Test +#[0-9]+: [^\n]* Passed +[0-9.]+ sec" "" out "${out}")
message("${out}")
message(FATAL_ERROR "checks.sanitized: tests failed (${status}) after ${seconds} s: ${summary}")
