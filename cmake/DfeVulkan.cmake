# The Vulkan backend (--backend vulkan, src/dfe/gpu/): found from Debian's packages libvulkan-dev,
# libvkfft-dev, glslang-dev and glslang-tools (scripts/quickstart.sh). DFE_ENABLE_VULKAN:
#   AUTO  build it when every package is found (the default), else say what is missing;
#   ON    fail configuration when one is missing;
#   OFF   never build it (--backend vulkan then refuses with one line).
# Sets DFE_HAVE_VULKAN and, when true, defines the target dfe_gpu (not installed: the applications
# link it; the installed library dfe::dfe does not depend on Vulkan).
set(DFE_ENABLE_VULKAN AUTO CACHE STRING "Build the Vulkan backend: AUTO, ON or OFF")
set_property(CACHE DFE_ENABLE_VULKAN PROPERTY STRINGS AUTO ON OFF)

set(DFE_HAVE_VULKAN FALSE)
if(DFE_ENABLE_VULKAN STREQUAL "OFF")
  message(STATUS "Vulkan backend: not built (DFE_ENABLE_VULKAN=OFF)")
else()
  find_package(Vulkan QUIET)
  find_package(glslang CONFIG QUIET)
  find_package(Threads)
  find_program(DFE_GLSLANG_VALIDATOR glslangValidator)
  find_path(DFE_VKFFT_INCLUDE_DIR vkFFT.h)
  find_path(DFE_GLSLANG_C_INCLUDE_DIR glslang/Include/glslang_c_interface.h)
  set(_dfe_vk_missing "")
  if(NOT Vulkan_FOUND)
    list(APPEND _dfe_vk_missing "libvulkan-dev")
  endif()
  if(NOT DFE_VKFFT_INCLUDE_DIR)
    list(APPEND _dfe_vk_missing "libvkfft-dev")
  endif()
  if(NOT glslang_FOUND OR NOT TARGET glslang::SPIRV OR NOT DFE_GLSLANG_C_INCLUDE_DIR)
    list(APPEND _dfe_vk_missing "glslang-dev")
  endif()
  if(NOT DFE_GLSLANG_VALIDATOR)
    list(APPEND _dfe_vk_missing "glslang-tools")
  endif()
  if(_dfe_vk_missing)
    list(JOIN _dfe_vk_missing " " _dfe_vk_missing)
    if(DFE_ENABLE_VULKAN STREQUAL "ON")
      message(FATAL_ERROR "DFE_ENABLE_VULKAN=ON, but the Vulkan backend's dependencies are missing: install ${_dfe_vk_missing}")
    endif()
    message(STATUS "Vulkan backend: not built (install ${_dfe_vk_missing} for --backend vulkan)")
  else()
    set(DFE_HAVE_VULKAN TRUE)
    message(STATUS "Vulkan backend: built (VkFFT from ${DFE_VKFFT_INCLUDE_DIR})")
  endif()
  unset(_dfe_vk_missing)
endif()

if(DFE_HAVE_VULKAN)
  # Debian's vkFFT.h 1.2.26 fills glslang's resource limits positionally, but glslang 12's
  # glslang_resource_t has nine more fields (the EXT mesh and task limits) before
  # maxDualSourceDrawBuffersEXT: a copy with those nine filled in (glslang's defaults) goes to the
  # build tree, first on the backend's include path. The system header is never changed.
  set(_dfe_vkfft_dir ${PROJECT_BINARY_DIR}/generated/vkfft)
  file(READ ${DFE_VKFFT_INCLUDE_DIR}/vkFFT.h _dfe_vkfft)
  file(READ ${DFE_GLSLANG_C_INCLUDE_DIR}/glslang/Include/glslang_c_interface.h _dfe_glslang_c)
  string(FIND "${_dfe_glslang_c}" "max_mesh_output_vertices_ext" _dfe_has_ext)
  string(FIND "${_dfe_vkfft}" "maxMeshOutputVerticesEXT" _dfe_vkfft_has_ext)
  if(_dfe_has_ext GREATER -1 AND _dfe_vkfft_has_ext EQUAL -1)
    set(_dfe_old "/* .maxDualSourceDrawBuffersEXT = */ 1,")
    set(_dfe_new "/* EXT mesh and task limits (dfe: glslang 12) */ 256, 256, 128, 128, 128, 128, 128, 128, 4,\n\t\t\t\t${_dfe_old}")
    string(REPLACE "${_dfe_old}" "${_dfe_new}" _dfe_patched "${_dfe_vkfft}")
    if(_dfe_patched STREQUAL _dfe_vkfft)
      message(FATAL_ERROR "Vulkan backend: ${DFE_VKFFT_INCLUDE_DIR}/vkFFT.h has no resource-limits table to adapt to this glslang; configure with -DDFE_ENABLE_VULKAN=OFF")
    endif()
    set(_dfe_vkfft "${_dfe_patched}")
  endif()
  # Written beside, then copied only when it changed: an unchanged copy rebuilds nothing.
  file(WRITE ${_dfe_vkfft_dir}/vkFFT.h.new "${_dfe_vkfft}")
  configure_file(${_dfe_vkfft_dir}/vkFFT.h.new ${_dfe_vkfft_dir}/vkFFT.h COPYONLY)
  unset(_dfe_vkfft)
  unset(_dfe_patched)
  unset(_dfe_glslang_c)
endif()
