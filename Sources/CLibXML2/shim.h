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
/* zlib's types and constants for gzip sitemaps and WARC.gz. The module links only xml2, so the
   inflate functions are looked up at run time (Discover/Zlib.swift); libz is loaded already as
   a dependency of libxml2. */
#include <zlib.h>

/* libxml2 frees strings it allocated with xmlFree, a function pointer Swift cannot call directly. */
static inline void khabar_xml_free(void *pointer) { xmlFree(pointer); }

/* A no-op structured error handler: parse errors are expected on real pages and must not reach stderr. */
static inline void khabar_xml_silent_structured(void *user, xmlErrorPtr error) { (void)user; (void)error; }
static inline void khabar_xml_silence_errors(void) {
    xmlSetStructuredErrorFunc(NULL, khabar_xml_silent_structured);
}
/* An external entity or DTD is never fetched, whatever a document asks for (XXE). */
static inline xmlParserInputPtr khabar_xml_refuse_external_entity(const char *url, const char *id, xmlParserCtxtPtr context) {
    (void)url; (void)id; (void)context;
    return NULL;
}
static inline void khabar_xml_refuse_external_entities(void) {
    xmlSetExternalEntityLoader(khabar_xml_refuse_external_entity);
}
#endif
