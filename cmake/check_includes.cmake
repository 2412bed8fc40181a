# Run by the build before a module compiles (src/CMakeLists.txt, redcell_module): fails when
# one of the module's files includes a header of a module it may not use. The arrows are the
# DEPENDS lists in src/CMakeLists.txt, drawn in docs/architecture.md.
#   -DMODULE=engine -DALLOWED="engine;common;..." -DLIST=<file of paths> -DSTAMP=<file>
cmake_minimum_required(VERSION 3.25)  # IN_LIST and the other policies of the build
file(READ "${LIST}" files)
set(bad "")
foreach(f IN LISTS files)
  file(STRINGS "${f}" lines REGEX "^#include \"[a-z_]+/")
  foreach(line IN LISTS lines)
    string(REGEX MATCH "^#include \"([a-z_]+)/" _ "${line}")
    if(NOT CMAKE_MATCH_1 IN_LIST ALLOWED)
      string(APPEND bad "\n  ${f}: ${line}")
    endif()
  endforeach()
endforeach()
if(bad)
  string(REPLACE ";" ", " allowed "${ALLOWED}")
  message(FATAL_ERROR "${MODULE} may include only ${allowed} (the arrows in "
                      "src/CMakeLists.txt and docs/architecture.md); it includes:${bad}")
endif()
file(TOUCH "${STAMP}")
