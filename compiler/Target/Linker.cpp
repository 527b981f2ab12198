//===- Linker.cpp - Executables and libraries from a model object ---------===//

#include "compiler/Target/Linker.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Object/Archive.h"
#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

bool cnnc::findRuntime(const char *argv0, RuntimeLocation &runtime,
                       std::string &error) {
  std::string executable =
      sys::fs::getMainExecutable(argv0, reinterpret_cast<void *>(&findRuntime));
  SmallString<256> prefix(sys::path::parent_path(sys::path::parent_path(executable)));
  SmallString<256> lib(prefix), include(prefix);
  sys::path::append(lib, "lib");
  sys::path::append(include, "include");
  SmallString<256> archive(lib);
  sys::path::append(archive, "libcnnrt.a");
  if (!sys::fs::exists(archive)) {
    error = "cannot find the runtime library " + archive.str().str() +
            " (is cnnc run from its build or install tree?)";
    return false;
  }
  runtime = {lib.str().str(), include.str().str()};
  return true;
}

/// A temporary file name beside `path`, so that a rename onto it is atomic.
static std::string temporaryBeside(StringRef path) {
  return (path + ".tmp-" + Twine(sys::Process::getProcessId())).str();
}

/// Links `objects` with `libraries` into `output` through the system's C
/// compiler driver (the sanitizer build links with the compiler and
/// sanitizers it was built with, see CMakeLists.txt); `output` appears only
/// when linking succeeds.
static bool linkWithDriver(ArrayRef<std::string> objects, ArrayRef<StringRef> libraries,
                           StringRef output, std::string &error) {
  ErrorOr<std::string> cc = sys::findProgramByName(CNNC_MODEL_LINK_DRIVER);
  if (!cc) {
    error = "cannot find the C compiler driver '" CNNC_MODEL_LINK_DRIVER
            "' to link with";
    return false;
  }
  std::string temporary = temporaryBeside(output);
  SmallString<128> log;
  sys::fs::createTemporaryFile("cnnc-link", "log", log);
  SmallVector<StringRef> args = {*cc};
  args.append(objects.begin(), objects.end());
  args.append(libraries.begin(), libraries.end());
  args.append({"-lm", "-lpthread", "-o", temporary});
  SmallVector<StringRef> extraFlags;
  StringRef(CNNC_MODEL_LINK_FLAGS).split(extraFlags, ' ', -1, /*KeepEmpty=*/false);
  args.append(extraFlags.begin(), extraFlags.end());
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(log), StringRef(log)};
  std::string message;
  int status = sys::ExecuteAndWait(*cc, args, std::nullopt, redirects, 0, 0, &message);
  auto logText = MemoryBuffer::getFile(log);
  sys::fs::remove(log);
  if (status != 0) {
    sys::fs::remove(temporary);
    error = "linking failed" + (message.empty() ? "" : ": " + message);
    if (logText && !(*logText)->getBuffer().empty())
      error += "\n" + (*logText)->getBuffer().rtrim().str();
    return false;
  }
  if (std::error_code ec = sys::fs::rename(temporary, output)) {
    sys::fs::remove(temporary);
    error = "cannot write " + output.str() + ": " + ec.message();
    return false;
  }
  return true;
}

bool cnnc::linkExecutable(ArrayRef<std::string> objects, StringRef output,
                          const RuntimeLocation &runtime, std::string &error) {
  SmallString<256> mainLib(runtime.libraryDir), lib(runtime.libraryDir);
  sys::path::append(mainLib, "libcnnrt_main.a");
  sys::path::append(lib, "libcnnrt.a");
  return linkWithDriver(objects, {mainLib, lib}, output, error);
}

bool cnnc::linkSharedLibrary(ArrayRef<std::string> objects, StringRef output,
                             const RuntimeLocation &runtime, std::string &error) {
  SmallString<256> lib(runtime.libraryDir);
  sys::path::append(lib, "libcnnrt.a");
  // The whole runtime, so that a program that loads the library finds every
  // cnnrt_* function in it; -Bsymbolic binds the model's calls to this
  // copy of the runtime even where the program has loaded another model.
  return linkWithDriver(objects,
                        {"-shared", "-Wl,-Bsymbolic", "-Wl,--whole-archive", lib,
                         "-Wl,--no-whole-archive"},
                        output, error);
}

static const char *roleName(cnnc::TensorRole role) {
  switch (role) {
  case cnnc::TensorRole::Param: return "param";
  case cnnc::TensorRole::Buffer: return "buffer";
  case cnnc::TensorRole::Input: return "input";
  case cnnc::TensorRole::Output: return "output";
  case cnnc::TensorRole::Prepared: return "prepared";
  case cnnc::TensorRole::State: return "state";
  }
  return "?";
}

/// Writes `contents` to `path` through a temporary file.
static bool writeFile(StringRef path, function_ref<void(raw_ostream &)> contents,
                      std::string &error) {
  std::string temporary = temporaryBeside(path);
  std::error_code ec;
  {
    raw_fd_ostream os(temporary, ec);
    if (!ec) {
      contents(os);
      os.close();
      ec = os.error();
    }
  }
  if (!ec)
    ec = sys::fs::rename(temporary, path);
  if (ec) {
    sys::fs::remove(temporary);
    error = "cannot write " + path.str() + ": " + ec.message();
    return false;
  }
  return true;
}

/// Copies `from` to `to` through a temporary file.
static bool copyFile(StringRef from, StringRef to, std::string &error) {
  std::string temporary = temporaryBeside(to);
  std::error_code ec = sys::fs::copy_file(from, temporary);
  if (!ec)
    ec = sys::fs::rename(temporary, to);
  if (ec) {
    sys::fs::remove(temporary);
    error = "cannot copy " + from.str() + " to " + to.str() + ": " + ec.message();
    return false;
  }
  return true;
}

bool cnnc::writeModelLibrary(ArrayRef<std::string> objects, StringRef base, StringRef prefix,
                             const ModelSignature &signature,
                             const RuntimeLocation &runtime, std::string &error) {
  // The archive holds the model alone: the runtime is a library of its own,
  // linked once however many models a program holds.
  std::vector<NewArchiveMember> members;
  std::vector<std::string> memberNames;
  for (auto [index, object] : llvm::enumerate(objects)) {
    Expected<NewArchiveMember> member = NewArchiveMember::getFile(object, true);
    if (!member) {
      error = toString(member.takeError());
      return false;
    }
    memberNames.push_back((prefix + "." + Twine(index) + ".o").str());
    members.push_back(std::move(*member));
  }
  // Named once every name is in place: the members refer to the strings.
  for (auto [member, name] : llvm::zip(members, memberNames))
    member.MemberName = name;
  std::string archivePath = (base + ".a").str(), temporary = temporaryBeside(archivePath);
  if (Error failure = writeArchive(temporary, members, SymtabWritingMode::NormalSymtab,
                                   object::Archive::K_GNU, /*Deterministic=*/true,
                                   /*Thin=*/false)) {
    sys::fs::remove(temporary);
    error = toString(std::move(failure));
    return false;
  }
  if (std::error_code ec = sys::fs::rename(temporary, archivePath)) {
    sys::fs::remove(temporary);
    error = "cannot write " + archivePath + ": " + ec.message();
    return false;
  }

  // The runtime's library and header, beside the model's.
  StringRef directory = sys::path::parent_path(base);
  SmallString<256> header(runtime.includeDir), headerCopy(directory);
  sys::path::append(header, "cnnrt.h");
  sys::path::append(headerCopy, "cnnrt.h");
  SmallString<256> library(runtime.libraryDir), libraryCopy(directory);
  sys::path::append(library, "libcnnrt.a");
  sys::path::append(libraryCopy, "libcnnrt.a");
  if (!copyFile(header, headerCopy, error) || !copyFile(library, libraryCopy, error))
    return false;

  std::string guard = StringRef(prefix).upper() + "_CNNC_MODEL_H";
  StringRef file = sys::path::filename(base);
  return writeFile(
      (base + ".h").str(),
      [&](raw_ostream &os) {
        os << "/* " << file << ".h: model '" << signature.modelName
           << "', compiled by cnnc.\n * Link with " << file
           << ".a libcnnrt.a -lm -lpthread; docs/c-interface.md explains the "
              "interface. */\n"
           << "#ifndef " << guard << "\n#define " << guard << "\n\n"
           << "#include \"cnnrt.h\"\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
           << "/* The model's tensors, in the order " << prefix << "_prepare and "
           << prefix << "_forward take\n * their buffers (contiguous float32, C order; "
           << "prepared tensors are\n * computed by " << prefix << "_prepare):\n";
        for (auto [index, tensor] : llvm::enumerate(signature.tensors)) {
          os << " * " << format("%4d", (int)index) << "  " << roleName(tensor.role)
             << "  " << tensor.name << " [" << join(map_range(tensor.shape, [](int64_t d) {
                  return std::to_string(d);
                }), ", ") << "]\n";
        }
        os << " */\nextern const cnnrt_model " << prefix << "_model;\n\n"
           << "/* Computes the prepared tensors from the weights: call it once after\n"
           << " * binding the weights, and again whenever they change.\n"
           << " * buffers[i] holds tensor i of the table above. Returns CNNRT_OK, or a\n"
           << " * status with cnnrt_context_message(context). */\n"
           << "cnnrt_status " << prefix
           << "_prepare(cnnrt_context *context, float *const *buffers);\n\n"
           << "/* Runs the model on prepared weights; the same buffers. */\n"
           << "cnnrt_status " << prefix
           << "_forward(cnnrt_context *context, float *const *buffers);\n\n"
           << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << " */\n";
      },
      error);
}
