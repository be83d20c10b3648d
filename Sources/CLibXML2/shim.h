#ifndef KHABAR_CLIBXML2_SHIM_H
#define KHABAR_CLIBXML2_SHIM_H
/* Debian builds libxml2 with ICU, so encoding.h includes <unicode/ucnv.h>, whose types clash
   with the copy of ICU inside Foundation ("'UErrorCode' has different definitions"). khabar
   never touches the ICU fields of xmlCharEncodingHandler (it only passes pointers to it), so
   the headers are read without ICU. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlerror.h>

/* libxml2 frees strings it allocated with xmlFree, a function pointer Swift cannot call directly. */
static inline void khabar_xml_free(void *pointer) { xmlFree(pointer); }

/* A no-op structured error handler: parse errors are expected on real pages and must not reach stderr. */
static inline void khabar_xml_silent_structured(void *user, xmlErrorPtr error) { (void)user; (void)error; }
static inline void khabar_xml_silence_errors(void) {
    xmlSetStructuredErrorFunc(NULL, khabar_xml_silent_structured);
}
#endif
