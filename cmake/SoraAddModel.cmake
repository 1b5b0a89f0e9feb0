# sora_add_model(<target> MODEL <model.json|.sora|.onnx>
#                [NAME <c-identifier>] [TARGET <soracc target>]
#                [WEIGHTS <file.safetensors> | RANDOM_WEIGHTS <seed>]
#                [TUNING_DB <tuning.json>] [SORACC_ARGS <arg>...])
#
# Compiles the model with soracc at build time (again whenever the model,
# the weights, the tuning database or soracc change) into a static archive
# and its header <name>.h, and defines <target>: link it and include
# "<name>.h", which declares <name>_model() (create it with
# sora_model_create_from) and the model's signature as constants. NAME
# defaults to <target>; <target> links Sora::runtime.
function(sora_add_model target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG ""
    "MODEL;NAME;TARGET;WEIGHTS;RANDOM_WEIGHTS;TUNING_DB" "SORACC_ARGS")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR
      "sora_add_model(${target}): unknown arguments ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_MODEL)
    message(FATAL_ERROR "sora_add_model(${target}): MODEL is required")
  endif()
  if(ARG_WEIGHTS AND DEFINED ARG_RANDOM_WEIGHTS)
    message(FATAL_ERROR
      "sora_add_model(${target}): give WEIGHTS or RANDOM_WEIGHTS, not both")
  endif()
  if(NOT ARG_NAME)
    set(ARG_NAME ${target})
  endif()
  if(NOT ARG_NAME MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    message(FATAL_ERROR
      "sora_add_model(${target}): NAME '${ARG_NAME}' is not a C identifier")
  endif()

  get_filename_component(model "${ARG_MODEL}" ABSOLUTE)
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/${target}.sora")
  set(archive "${dir}/lib${ARG_NAME}.a")
  set(header "${dir}/${ARG_NAME}.h")
  set(args "${model}" --emit=lib --name ${ARG_NAME} -o "${archive}")
  set(depends "${model}" Sora::soracc)
  if(ARG_TARGET)
    list(APPEND args --target=${ARG_TARGET})
  endif()
  if(ARG_WEIGHTS)
    get_filename_component(weights "${ARG_WEIGHTS}" ABSOLUTE)
    list(APPEND args --weights "${weights}")
    list(APPEND depends "${weights}")
  elseif(DEFINED ARG_RANDOM_WEIGHTS)
    list(APPEND args --random-weights ${ARG_RANDOM_WEIGHTS})
  endif()
  if(ARG_TUNING_DB)
    get_filename_component(db "${ARG_TUNING_DB}" ABSOLUTE)
    list(APPEND args --tuning-db "${db}")
    list(APPEND depends "${db}")
  endif()

  file(MAKE_DIRECTORY "${dir}")
  add_custom_command(
    OUTPUT "${archive}" "${header}"
    COMMAND Sora::soracc ${args} ${ARG_SORACC_ARGS}
    DEPENDS ${depends}
    COMMENT "soracc: compiling ${ARG_MODEL} into lib${ARG_NAME}.a"
    VERBATIM)
  add_custom_target(${target}.soracc DEPENDS "${archive}" "${header}")
  add_library(${target} STATIC IMPORTED GLOBAL)
  set_target_properties(${target} PROPERTIES
    IMPORTED_LOCATION "${archive}"
    INTERFACE_INCLUDE_DIRECTORIES "${dir}"
    INTERFACE_LINK_LIBRARIES Sora::runtime)
  add_dependencies(${target} ${target}.soracc)
endfunction()
