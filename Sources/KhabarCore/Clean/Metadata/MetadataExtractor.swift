internal import Foundation

/// Reads a page's metadata: structured data first (JSON-LD, OpenGraph and other `<meta>`
/// vocabularies, microdata), then what the page shows (headings, `<time>`, bylines).
///
/// One walk over the tree collects every candidate cheaply; strings are built only for the
/// few elements that can matter.
public struct MetadataExtractor {
    let tree: HTMLTree
    let url: String?

    public init(tree: HTMLTree, url: String?) {
        self.tree = tree
        self.url = url
    }

    public func extract() -> PageMetadata {
        guard !tree.isEmpty else { return PageMetadata(canonicalURL: url) }
        let scan = PageScan(tree: tree)
        let structured = JSONLDReader.read(scan.jsonLDBlocks)
        let baseURL = MetadataText.absoluteURL(scan.baseHref, base: url) ?? url
        var metadata = PageMetadata()

        // Site name and title depend on each other (the site name is how a title suffix is
        // recognized, and a recognized suffix is a site name), so declared names come first.
        let declaredSiteNames = [
            scan.meta("og:site_name"), structured.publisherName, scan.meta("application-name"),
            scan.meta("al:android:app_name"), scan.meta("twitter:site").flatMap { $0.hasPrefix("@") ? nil : $0 },
            structured.websiteName, scan.itemprop.publisher,
        ].compactMap { MetadataText.clean($0) }.filter { !MetadataText.looksLikeURL($0) }
        let titleChoice = chooseTitle(scan: scan, structured: structured, siteNames: declaredSiteNames)
        metadata.title = titleChoice.title
        metadata.siteName = declaredSiteNames.first ?? titleChoice.siteFromTitle ?? MetadataText.hostName(of: url)

        var nextData: StructuredArticle?
        func nextDataArticle() -> StructuredArticle {
            if let nextData { return nextData }
            let found = scan.nextDataText.map { FrameworkStateReader.article(in: $0, title: metadata.title) } ?? StructuredArticle()
            nextData = found
            return found
        }

        metadata.author = chooseAuthor(scan: scan, structured: structured, siteNames: declaredSiteNames + [metadata.siteName].compactMap { $0 }, title: metadata.title, nextData: nextDataArticle)
        (metadata.publishedAt, metadata.modifiedAt) = chooseDates(scan: scan, structured: structured, nextData: nextDataArticle)

        metadata.description = [scan.meta("og:description"), structured.description, scan.meta("description"),
                                scan.meta("twitter:description"), scan.meta("dc.description")]
            .lazy.compactMap { MetadataText.clean($0) }.first
        metadata.image = [scan.meta("og:image"), scan.meta("og:image:url"), scan.meta("og:image:secure_url"),
                          scan.meta("twitter:image"), scan.meta("twitter:image:src"), structured.image, scan.imageSrcLink, scan.itemprop.image]
            .lazy.compactMap { MetadataText.absoluteURL($0, base: baseURL) }.first

        var tags = (scan.metas("article:tag") + scan.metas("og:article:tag")).compactMap { MetadataText.clean($0) }
        for key in ["news_keywords", "keywords", "parsely-tags", "sailthru.tags"] {
            tags += scan.metas(key).flatMap(MetadataTags.split)
        }
        tags += structured.keywords + scan.itemprop.keywords.flatMap(MetadataTags.split)
        metadata.tags = MetadataTags.deduplicated(tags)

        metadata.canonicalURL = [scan.canonicalHref, scan.meta("og:url"), structured.url]
            .lazy.compactMap { MetadataText.absoluteURL($0, base: baseURL) }.first ?? url

        metadata.declaredLanguage = [scan.htmlLang, scan.meta("content-language"), scan.meta("og:locale"),
                                     scan.meta("dc.language"), scan.meta("language")]
            .lazy.compactMap { MetadataText.clean($0)?.replacingOccurrences(of: "_", with: "-") }.first
        metadata.declaredDirection = [scan.htmlDir, scan.bodyDir]
            .lazy.compactMap { $0?.trimmed.lowercased() }.first { $0 == "rtl" || $0 == "ltr" }
        return metadata
    }

    // MARK: Title

    private func chooseTitle(scan: PageScan, structured: StructuredArticle, siteNames: [String]) -> (title: String?, siteFromTitle: String?) {
        let h1s = scan.headings
        // Visible headings, plus forum-style ones without a generic label ("الموضوع: …").
        var headingForms = h1s
        headingForms += h1s.compactMap(TitleCleaner.withoutLabelPrefix)
        if h1s.isEmpty { headingForms += scan.secondaryHeadings }
        let cleaner = TitleCleaner(siteNames: siteNames, headings: headingForms)

        let structuredTitles = [scan.meta("og:title"), structured.headline, scan.itemprop.headline,
                                scan.meta("twitter:title"), scan.meta("dc.title"), scan.meta("parsely-title"),
                                scan.meta("sailthru.title"), scan.meta("citation_title")]
            .compactMap { MetadataText.clean($0) }
            .map { cleaner.clean($0).title }
            .filter { !cleaner.isSiteName($0) }
        let tagTitle = scan.titleTag.flatMap(MetadataText.clean).map(cleaner.clean)
        let tagTitleText = tagTitle.flatMap { cleaner.isSiteName($0.title) ? nil : $0.title }
        let siteFromTitle = tagTitle?.removedSite.flatMap { MetadataText.wordCount($0) <= 6 ? $0 : nil }

        // A visible heading that agrees with a declared title is the article's title; use the
        // declared spelling, which carries no markup leftovers.
        let declared = structuredTitles + [tagTitleText].compactMap { $0 }
        let declaredForms = declared.map(MetadataText.comparable)
        for heading in headingForms {
            if let match = declaredForms.firstIndex(of: MetadataText.comparable(heading)) {
                return (declared[match], siteFromTitle)
            }
        }
        if let first = structuredTitles.first { return (first, siteFromTitle) }
        if let heading = h1s.first, tagTitleText.map({ MetadataText.comparable($0).contains(MetadataText.comparable(heading)) }) ?? true {
            return (heading, siteFromTitle)
        }
        return (tagTitleText ?? h1s.first, siteFromTitle)
    }

    // MARK: Author

    private func chooseAuthor(scan: PageScan, structured: StructuredArticle, siteNames: [String], title: String?,
                              nextData: @escaping () -> StructuredArticle) -> String? {
        let titleForm = title.map(MetadataText.comparable)
        let siteCleaner = TitleCleaner(siteNames: siteNames, headings: [])
        func accepted(_ names: [String]) -> String? {
            var seen = Set<String>()
            var kept: [String] = []
            for raw in names {
                guard let name = BylineDetector.cleanedName(raw), !siteCleaner.isSiteName(name),
                      MetadataText.comparable(name) != titleForm else { continue }
                if seen.insert(MetadataText.comparable(name)).inserted { kept.append(name) }
            }
            return kept.isEmpty ? nil : kept.prefix(6).joined(separator: ", ")
        }
        let metaAuthors = ["author", "article:author", "parsely-author", "dc.creator", "dcterms.creator",
                           "sailthru.author", "citation_author", "byl", "twitter:creator"]
            .flatMap { key in scan.metas(key).filter { !$0.hasPrefix("@") } }
        let sources: [() -> [String]] = [
            { structured.personAuthors },
            { metaAuthors },
            { scan.itemprop.authors },
            { nextData().personAuthors },
            { scan.relAuthorTexts },
            { scan.authorHintTexts },
            { scan.bylineLineTexts.compactMap(BylineDetector.author(fromBylineLine:)) },
            { structured.organizationAuthors },
        ]
        for source in sources {
            if let author = accepted(source()) { return author }
        }
        return nil
    }

    // MARK: Dates

    private func chooseDates(scan: PageScan, structured: StructuredArticle, nextData: () -> StructuredArticle) -> (NewsDate?, NewsDate?) {
        func parsed(_ texts: [String?]) -> [NewsDate] {
            texts.compactMap { $0.flatMap(MetadataText.clean).flatMap { NewsDateParser.parse($0) } }
        }
        let publishedMetaKeys = ["article:published_time", "og:published_time", "article:published", "datepublished",
                                 "pubdate", "publishdate", "publish-date", "publish_date", "article.published",
                                 "article_date_original", "sailthru.date", "parsely-pub-date", "dc.date.issued",
                                 "dcterms.issued", "dcterms.created", "dc.date", "dcterms.date", "date",
                                 "citation_publication_date", "citation_date", "og:article:published_time", "cxenseparse:recs:publishtime"]
        let modifiedMetaKeys = ["article:modified_time", "og:updated_time", "datemodified", "dcterms.modified",
                                "article.updated", "last-modified", "lastmod", "og:article:modified_time"]

        var published = parsed([structured.datePublished])
        published += parsed(publishedMetaKeys.map { scan.meta($0) })
        published += parsed([scan.itemprop.datePublished])
        if published.isEmpty { published += parsed([nextData().datePublished]) }
        published += parsed(scan.preferredTimeValues)
        published += scan.visibleDates.filter { !$0.isUpdate }.map(\.date)
        published += parsed([FrameworkStateReader.dateInURL(url)])

        var modified = parsed([structured.dateModified])
        modified += parsed(modifiedMetaKeys.map { scan.meta($0) })
        modified += parsed([scan.itemprop.dateModified])
        if modified.isEmpty { modified += parsed([nextData().dateModified]) }
        modified += scan.visibleDates.filter(\.isUpdate).map(\.date)
        return (bestDate(published), bestDate(modified))
    }

    /// The first candidate, or a later one that names the same day with a time of day.
    private func bestDate(_ candidates: [NewsDate]) -> NewsDate? {
        guard var best = candidates.first else { return nil }
        if best.hour == nil,
           let timed = candidates.dropFirst().first(where: { $0.hour != nil && $0.year == best.year && $0.month == best.month && $0.day == best.day }) {
            best = timed
        }
        return best
    }
}
