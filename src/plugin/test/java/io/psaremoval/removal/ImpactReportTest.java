package io.psaremoval.removal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A name or a person's note is shown as written, never as Markdown that makes a link, a heading or a paragraph. */
class ImpactReportTest {

    @Test
    void aNoteCannotMakeALinkAHeadingOrAParagraph() {
        assertThat(ImpactReport.plain("# Urgent\n\n[Re-approve](https://evil.example/login)"))
                .isEqualTo("\\# Urgent \\[Re\\-approve\\]\\(https\\://evil.example/login\\)");
    }

    @Test
    void aBareAddressIsNotLinkedEither() {
        assertThat(ImpactReport.plain("re-approve at https://evil.example/login or WWW.evil.example"))
                .isEqualTo("re\\-approve at https\\://evil.example/login or WWW\\.evil.example");
        assertThat(ImpactReport.plain("The new PSA: www.example and e.g. 1.5 GB"))
                .isEqualTo("The new PSA\\: www\\.example and e.g. 1.5 GB");
        assertThat(ImpactReport.plain("mail ops@evil.example or see _www.evil.example and xwww.evil.example"))
                .isEqualTo("mail ops\\@evil.example or see \\_www\\.evil.example and xwww\\.evil.example");
    }

    @Test
    void anEntityShowsAsWritten() {
        assertThat(ImpactReport.plain("R&amp;D &lt;team&gt;")).isEqualTo("R\\&amp;D \\&lt;team\\&gt;");
    }
}
