//===- WeightsObject.cpp - The weight blob as an ELF relocatable object ---===//
//
// The blob is written straight into a minimal ELF64 object: its bytes in
// .rodata, one hidden global symbol, and the tables a linker reads. Built
// through LLVM (a constant array, -O2, the MC layer), ResNet-18's 72.6 MiB
// took 544 ms, most of it copying and page-faulting the bytes several times;
// here they are written once.
//
//===----------------------------------------------------------------------===//

#include "sora/Target/LLVMEmitter.h"

#include "OutputFile.h"

#include <elf.h>

#include <array>
#include <cstring>

namespace sora {

namespace {

/// Section indices, in file order after the null section.
enum Section : uint16_t {
  kRodata = 1,
  kGnuStack, // empty: the stack is not executable
  kSymtab,
  kStrtab,
  kShstrtab,
  kSectionCount
};

constexpr uint64_t kBlobAlignment = 64;
constexpr char kSymbolNames[] = "\0_sora_weights";
constexpr char kSectionNames[] =
    "\0.rodata\0.note.GNU-stack\0.symtab\0.strtab\0.shstrtab";

/// Offset of `name` in a table of NUL-separated names.
template <size_t N>
Elf64_Word nameOffset(const char (&table)[N], const char *name) {
  for (size_t at = 1; at < N; at += std::strlen(table + at) + 1)
    if (std::strcmp(table + at, name) == 0)
      return (Elf64_Word)at;
  return 0;
}

uint64_t alignTo(uint64_t offset, uint64_t alignment) {
  return (offset + alignment - 1) / alignment * alignment;
}

} // namespace

bool emitWeightsObject(const std::string &blob, const TargetInfo &target,
                       const std::string &objectPath, std::string &error) {
  Elf64_Half machine;
  if (target.arch == "x86_64")
    machine = EM_X86_64;
  else if (target.arch == "aarch64")
    machine = EM_AARCH64;
  else {
    error = "no ELF machine for target architecture '" + target.arch + "'";
    return false;
  }

  // File layout: header, blob, symbols, names, section headers.
  std::array<Elf64_Sym, 2> symbols{};
  symbols[1].st_name = nameOffset(kSymbolNames, "_sora_weights");
  symbols[1].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT);
  symbols[1].st_other = STV_HIDDEN;
  symbols[1].st_shndx = kRodata;
  symbols[1].st_size = blob.size();
  uint64_t blobOffset = alignTo(sizeof(Elf64_Ehdr), kBlobAlignment);
  uint64_t symbolsOffset = alignTo(blobOffset + blob.size(), 8);
  uint64_t symbolNamesOffset = symbolsOffset + sizeof(symbols);
  uint64_t sectionNamesOffset = symbolNamesOffset + sizeof(kSymbolNames);
  uint64_t headersOffset =
      alignTo(sectionNamesOffset + sizeof(kSectionNames), 8);

  std::array<Elf64_Shdr, kSectionCount> sections{};
  auto section = [&](Section index, const char *name, Elf64_Word type,
                     uint64_t offset, uint64_t size, uint64_t alignment) {
    Elf64_Shdr &header = sections[index];
    header.sh_name = nameOffset(kSectionNames, name);
    header.sh_type = type;
    header.sh_offset = offset;
    header.sh_size = size;
    header.sh_addralign = alignment;
    return &header;
  };
  section(kRodata, ".rodata", SHT_PROGBITS, blobOffset, blob.size(),
          kBlobAlignment)
      ->sh_flags = SHF_ALLOC;
  section(kGnuStack, ".note.GNU-stack", SHT_PROGBITS, blobOffset, 0, 1);
  Elf64_Shdr *symtab = section(kSymtab, ".symtab", SHT_SYMTAB, symbolsOffset,
                               sizeof(symbols), 8);
  symtab->sh_link = kStrtab;
  symtab->sh_info = 1; // the first global symbol
  symtab->sh_entsize = sizeof(Elf64_Sym);
  section(kStrtab, ".strtab", SHT_STRTAB, symbolNamesOffset,
          sizeof(kSymbolNames), 1);
  section(kShstrtab, ".shstrtab", SHT_STRTAB, sectionNamesOffset,
          sizeof(kSectionNames), 1);

  Elf64_Ehdr header{};
  std::memcpy(header.e_ident, ELFMAG, SELFMAG);
  header.e_ident[EI_CLASS] = ELFCLASS64;
  header.e_ident[EI_DATA] = ELFDATA2LSB;
  header.e_ident[EI_VERSION] = EV_CURRENT;
  header.e_ident[EI_OSABI] = ELFOSABI_NONE;
  header.e_type = ET_REL;
  header.e_machine = machine;
  header.e_version = EV_CURRENT;
  header.e_shoff = headersOffset;
  header.e_ehsize = sizeof(Elf64_Ehdr);
  header.e_shentsize = sizeof(Elf64_Shdr);
  header.e_shnum = kSectionCount;
  header.e_shstrndx = kShstrtab;

  std::error_code ec;
  llvm::raw_fd_ostream out(objectPath, ec);
  if (ec) {
    error = cannotWrite(objectPath, ec);
    return false;
  }
  auto bytes = [&](const void *data, size_t size) {
    out.write(static_cast<const char *>(data), size);
  };
  auto padTo = [&](uint64_t offset) { out.write_zeros(offset - out.tell()); };
  bytes(&header, sizeof(header));
  padTo(blobOffset);
  bytes(blob.data(), blob.size());
  padTo(symbolsOffset);
  bytes(symbols.data(), sizeof(symbols));
  bytes(kSymbolNames, sizeof(kSymbolNames));
  bytes(kSectionNames, sizeof(kSectionNames));
  padTo(headersOffset);
  bytes(sections.data(), sizeof(sections));
  return closeChecked(out, objectPath, error);
}

} // namespace sora
