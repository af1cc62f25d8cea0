# XGRAD_SANITIZE=ON builds every target of this project (the libraries, tests, examples and
# benchmarks) with AddressSanitizer and UndefinedBehaviorSanitizer, and the first report stops
# the program with a non-zero exit. The flags are set for this directory tree only and are not
# part of the exported targets. The test preset runs a build with this option on
# (tests/checks/register.cmake); docs/testing.md explains every flag and option below.
option(XGRAD_SANITIZE "Build everything with -fsanitize=address,undefined (GCC or Clang)" OFF)

if(NOT XGRAD_SANITIZE)
  return()
endif()
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  message(FATAL_ERROR "XGRAD_SANITIZE needs GCC or Clang, not ${CMAKE_CXX_COMPILER_ID}")
endif()

# Every undefined-behaviour check is fatal (address errors always are), except pointer-overflow,
# which is left recoverable only so that the one suppression in sanitizer/ubsan.supp can apply
# (a fatal check ignores suppressions); halt_on_error=1 below makes any other report of it fatal.
# Frame pointers give the reports' stack traces every frame in optimised code.
set(xgrad_sanitize_flags -fsanitize=address,undefined -fno-sanitize-recover=all -fsanitize-recover=pointer-overflow
                         -fno-omit-frame-pointer)
add_compile_options(${xgrad_sanitize_flags})
add_link_options(${xgrad_sanitize_flags})
# GCC's instrumentation perturbs its flow-sensitive warnings, and GCC's manual advises against
# combining -Werror with sanitizers for that reason. Seen here, all false positives in code
# that the normal build compiles cleanly: -Wmaybe-uninitialized inside libstdc++'s <regex> (the
# std::function members of the NFA's states), -Wstringop-overflow on a std::vector resize whose
# size GCC cannot bound. Only these two are dropped, only in sanitized builds; every other
# build keeps them, as errors, and every other warning stays an error here too.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  add_compile_options(-Wno-maybe-uninitialized -Wno-stringop-overflow)
endif()
message(STATUS "xgrad: sanitized build: ${xgrad_sanitize_flags}")

# The runtime options every program starts with, compiled into each executable (the
# environment's ASAN_OPTIONS and UBSAN_OPTIONS still override them one by one), so the tests give
# the same verdict under ctest, by hand or in a debugger.
set(xgrad_ubsan_suppressions ${CMAKE_CURRENT_LIST_DIR}/sanitizer/ubsan.supp)
set(xgrad_sanitize_options ${PROJECT_BINARY_DIR}/xgrad_sanitizer_options.cpp)
configure_file(${CMAKE_CURRENT_LIST_DIR}/sanitizer/options.cpp.in ${xgrad_sanitize_options} @ONLY)
function(xgrad_sanitize_add_options dir)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(t ${targets})
    get_target_property(type ${t} TYPE)
    if(type STREQUAL "EXECUTABLE")
      target_sources(${t} PRIVATE ${xgrad_sanitize_options})
    endif()
  endforeach()
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub ${subdirs})
    xgrad_sanitize_add_options(${sub})
  endforeach()
endfunction()
# Once every directory has defined its targets.
cmake_language(DEFER CALL xgrad_sanitize_add_options ${CMAKE_CURRENT_SOURCE_DIR})
