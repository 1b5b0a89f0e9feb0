# find_package(Sora): soracc and the runtime of an installed soracc.
#
#   Sora::soracc   the compiler (imported executable)
#   Sora::runtime  libsora_runtime.a with sora/runtime.h on the include path
#   sora_add_model(<target> MODEL <file> ...)   see SoraAddModel.cmake
#
# Everything is found relative to this file: the install tree may move.
get_filename_component(_sora_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.."
  ABSOLUTE)

include(CMakeFindDependencyMacro)
find_dependency(Threads)

if(NOT TARGET Sora::soracc)
  add_executable(Sora::soracc IMPORTED)
  set_target_properties(Sora::soracc PROPERTIES
    IMPORTED_LOCATION "${_sora_prefix}/bin/soracc")
endif()

if(NOT TARGET Sora::runtime)
  add_library(Sora::runtime STATIC IMPORTED)
  set_target_properties(Sora::runtime PROPERTIES
    IMPORTED_LOCATION "${_sora_prefix}/lib/libsora_runtime.a"
    INTERFACE_INCLUDE_DIRECTORIES "${_sora_prefix}/include"
    INTERFACE_LINK_LIBRARIES "Threads::Threads;m;${CMAKE_DL_LIBS}")
endif()

set(SORA_INCLUDE_DIR "${_sora_prefix}/include")
set(SORA_RUNTIME_DIR "${_sora_prefix}/lib/sora")
include("${CMAKE_CURRENT_LIST_DIR}/SoraAddModel.cmake")
unset(_sora_prefix)
