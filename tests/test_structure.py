"""The structural reader on hand-made pages, one layout each of those real themes use: where
the comments are, who wrote them, when, what they say and whom they answer, with no template."""

from archiver.extractors import extract, structure
from archiver.page import Page

URL = "https://blog.example/2024/05/post/"
POST = "<article><h1>Post</h1><p>The text of the post, long enough to be one.</p></article>"


def read(comments_html, language="en"):
    html = f'<html lang="{language}"><body>{POST}{comments_html}</body></html>'
    return [(c.type, c.platform_id, c.author, c.published_shown, c.published_machine, c.parent,
             " ".join(c.body_html.split()))
            for c in structure.structural_comments(Page(URL, html))]


def test_blocks_named_comment_and_comment_reply_are_one_thread_with_a_date_and_clock_apart():
    assert read("""<div class="comments-list">
      <div class="comment" id="c-1"><div class="meta"><span class="comment-author">Claire</span>
        <small class="comment-time">August 06, 2019</small>\
<small class="comment-time">4:14 pm</small></div>
        <div class="comment-content"><p>How does this work?</p>
          <div class="comment-reply" id="c-2"><div class="meta">\
<span class="comment-author">Michael</span>
            <small class="comment-time">August 07, 2019</small>\
<small class="comment-time">2:42 am</small></div>
            <p>It does not, yet.</p></div></div></div>
      <div class="comment" id="c-3"><div class="meta"><span class="comment-author">Ann</span>
        <small class="comment-time">August 08, 2019</small>\
<small class="comment-time">9:00 am</small></div>
        <div class="comment-content"><p>Thanks.</p></div></div></div>""") == [
        ("comment", "1", "Claire", "August 06, 2019 4:14 pm", None, None,
         "<p>How does this work?</p>"),
        ("comment", "2", "Michael", "August 07, 2019 2:42 am", None, 0, "<p>It does not, yet.</p>"),
        ("comment", "3", "Ann", "August 08, 2019 9:00 am", None, None, "<p>Thanks.</p>"),
    ]


def test_dates_shown_as_plain_text_mark_blocks_and_a_replies_list_beside_a_comment_answers_it():
    # A German theme: no class says date or time; the replies' list follows its parent's block.
    assert read("""<section class="kommentare">
      <div class="box"><b>Tobias</b> sagt:<br><span>17.10.2019, 14:14 Zitieren #</span>\
<p>Erster Kommentar.</p></div>
      <ul class="children"><li><div class="box"><b>Caesi</b> sagt:<br><span>17.10.2019, 14:25</span>
        <p>Die Antwort darauf.</p></div></li></ul>
      <div class="box"><b>Jens</b> sagt:<br><span>18.10.2019, 09:01</span><p>Noch einer.</p></div>
      </section>""", language="de") == [
        ("comment", None, "Tobias", "17.10.2019, 14:14 Zitieren #", None, None,
         "sagt:<br><p>Erster Kommentar.</p>"),
        ("comment", None, "Caesi", "17.10.2019, 14:25", None, 0,
         "sagt:<br> <p>Die Antwort darauf.</p>"),
        ("comment", None, "Jens", "18.10.2019, 09:01", None, None, "sagt:<br><p>Noch einer.</p>"),
    ]


def test_flat_blocks_marked_indented_answer_the_block_before_them():
    assert read("""<div id="comments">
      <article class="comment" id="cid-1"><a class="user-name" href="/u/t">Thomas</a>
        <time datetime="2024-05-01T08:00:00Z">vor 8 Stunden</time><div class="comment__body">\
<p>Erster.</p></div></article>
      <article class="comment comment--indented" id="cid-2">\
<a class="user-name" href="/u/c">Curitiba</a>
        <time datetime="2024-05-01T09:00:00Z">vor 7 Stunden</time><div class="comment__body">\
<p>Antwort.</p></div></article>
      <article class="comment" id="cid-3"><a class="user-name" href="/u/b">Bea</a>
        <time datetime="2024-05-01T10:00:00Z">vor 6 Stunden</time><div class="comment__body">\
<p>Zweiter.</p></div></article>
      </div>""", language="de") == [
        ("comment", "1", "Thomas", "vor 8 Stunden", "2024-05-01T08:00:00Z", None, "<p>Erster.</p>"),
        ("comment", "2", "Curitiba", "vor 7 Stunden", "2024-05-01T09:00:00Z", 0, "<p>Antwort.</p>"),
        ("comment", "3", "Bea", "vor 6 Stunden", "2024-05-01T10:00:00Z", None, "<p>Zweiter.</p>"),
    ]


def test_a_relative_time_titled_with_its_date_gives_the_date():
    assert read("""<div class="discussion">
      <div class="comment"><span class="comment-author">Ann</span>
        <span class="comment-date" title="August 12, 2014 2:15 pm">2 years ago</span><p>First.</p>\
</div>
      <div class="comment"><span class="comment-author">Bo</span>
        <span class="comment-date" title="August 13, 2014 9:00 am">2 years ago</span><p>Second.</p>\
</div>
      </div>""") == [
        ("comment", None, "Ann", "August 12, 2014 2:15 pm", None, None, "<p>First.</p>"),
        ("comment", None, "Bo", "August 13, 2014 9:00 am", None, None, "<p>Second.</p>"),
    ]


def test_a_relative_time_with_a_timestamp_in_a_data_attribute_gives_the_instant():
    assert read("""<div class="discussion">
      <div class="comment"><span class="comment-author">Ann</span>
        <span class="comment-date" data-timestamp="1587481447">3 hours ago</span><p>First.</p></div>
      <div class="comment"><span class="comment-author">Bo</span>
        <span class="comment-date" data-timestamp="1587485047000">2 hours ago</span><p>Second.</p>\
</div>
      </div>""") == [
        ("comment", None, "Ann", "3 hours ago", "1587481447", None, "<p>First.</p>"),
        ("comment", None, "Bo", "2 hours ago", "1587485047000", None, "<p>Second.</p>"),
    ]


def test_a_block_of_name_and_time_alone_takes_its_text_from_the_block_after_it():
    assert read("""<div class="list">
      <div class="wrap"><div class="sf_comment" id="sf_comment_1"><p class="info">\
<span class="sf_comment_author">Alcalino</span><br>
        <span class="date">Hace 28 minutos</span></p></div><div class="sf_comment_text">\
<p>Vaya comportamiento.</p></div></div>
      <div class="wrap"><div class="sf_comment" id="sf_comment_2"><p class="info">\
<span class="sf_comment_author">Casper</span><br>
        <span class="date">Hace un día</span></p></div><div class="sf_comment_text">\
<p>Lo importante.</p></div></div>
      </div>""", language="es") == [
        ("comment", "1", "Alcalino", "Hace 28 minutos", None, None, "<p>Vaya comportamiento.</p>"),
        ("comment", "2", "Casper", "Hace un día", None, None, "<p>Lo importante.</p>"),
    ]


def test_comments_without_names_or_times_are_found_by_their_class_inside_a_comment_widget():
    assert read("""<div class="xenforo-comment-widget"><ul class="xenforo-comments-list">
      <li class="xenforo-comment" id="xc-11"><header></header>\
<div class="js-read-more">Leaks suggest a new phone.</div></li>
      <li class="xenforo-comment" id="xc-12"><header></header>\
<div class="js-read-more">Or the other one.</div></li>
      </ul></div>""") == [
        ("comment", "11", "", None, None, None,
         "<header></header><div class=\"js-read-more\">Leaks suggest a new phone.</div>"),
        ("comment", "12", "", None, None, None,
         "<header></header><div class=\"js-read-more\">Or the other one.</div>"),
    ]


def test_a_name_printed_before_the_time_in_one_line_is_the_author():
    assert read("""<div id="comments">
      <div class="comment-entry"><p>Finished a marking batch.</p>
        <p class="posted">Posted by: <a href="http://kate.example/">Kate</a>\
 at February 20, 2008 12:31 PM</p></div>
      <div class="comment-entry"><p>Not sure about that.</p>
        <p class="posted">Posted by: Tony Hirst at February 20, 2008 01:12 PM</p></div>\
</div>""") == [
        ("comment", None, "Kate", "February 20, 2008 12:31 PM", None, None,
         "<p>Finished a marking batch.</p>"),
        ("comment", None, "Tony Hirst", "February 20, 2008 01:12 PM", None, None,
         "<p>Not sure about that.</p>"),
    ]


def test_a_byline_block_of_name_time_and_number_takes_its_text_from_the_block_after_it():
    # A <dl> of comments: each <dt> names the author and time of the <dd> after it.
    assert read("""<dl id="comment_list">
      <dt class="comment"><span class="comment_num">1</span> <strong>Armanox</strong>
        <span class="comment_time">June 28, 2015 at 10:25 pm</span></dt>
      <dd class="comment"><div class="format_text"><p>Really, no Shagrath?</p></div></dd>
      <dt class="comment"><span class="comment_num">2</span> <strong>Flounder</strong>
        <span class="comment_time">July 6, 2015 at 6:57 pm</span></dt>
      <dd class="comment"><div class="format_text"><p>This list is wrong.</p></div></dd>\
</dl>""") == [
        ("comment", None, "Armanox", "June 28, 2015 at 10:25 pm", None, None,
         "<p>Really, no Shagrath?</p>"),
        ("comment", None, "Flounder", "July 6, 2015 at 6:57 pm", None, None,
         "<p>This list is wrong.</p>"),
    ]


def test_a_text_block_takes_name_and_time_from_the_byline_before_it():
    # Each <dt> is little but links (the time is the permalink): the <dd>s are the comments.
    assert read("""<dl id="comment_list">
      <dt class="comment" id="comment-1"><span class="comment_author">Armanox</span>
        <span class="comment_time"><a href="#comment-1">June 28, 2015 at 10:25 pm</a></span></dt>
      <dd class="comment"><div class="format_text"><p>Really, no Shagrath?</p></div></dd>
      <dt class="comment" id="comment-2"><span class="comment_author">Flounder</span>
        <span class="comment_time"><a href="#comment-2">July 6, 2015 at 6:57 pm</a></span></dt>
      <dd class="comment"><div class="format_text"><p>This list is wrong.</p></div></dd>\
</dl>""") == [
        ("comment", "1", "Armanox", "June 28, 2015 at 10:25 pm", None, None,
         "<p>Really, no Shagrath?</p>"),
        ("comment", "2", "Flounder", "July 6, 2015 at 6:57 pm", None, None,
         "<p>This list is wrong.</p>"),
    ]


def test_a_byline_of_a_name_and_a_time_alone_in_unknown_classes_heads_the_text_after_it():
    assert read("""<div class="k1">
      <div class="k2"><span class="k3">Claire</span> <small class="k4">August 06, 2019</small></div>
      <div class="k5"><p>How does this work in practice?</p></div>
      <div class="k2">\
<span class="k3">Michael Pettis</span> <small class="k4">August 07, 2019</small></div>
      <div class="k5"><p>Until a bill is passed, nobody knows.</p></div></div>""") == [
        ("comment", None, "Claire", "August 06, 2019", None, None,
         "<p>How does this work in practice?</p>"),
        ("comment", None, "Michael Pettis", "August 07, 2019", None, None,
         "<p>Until a bill is passed, nobody knows.</p>"),
    ]


def test_without_classes_a_name_before_says_or_a_short_first_line_is_the_author():
    assert read("""<ol class="q1">
      <li class="q2"><div class="q3"><cite class="q4">Roscoe</cite> <span class="q5">says:</span>\
</div>
        <div class="q6"><a href="#c1">August 15, 2020 at 1:49 pm</a></div>\
<p>It seems like a simple fix.</p></li>
      <li class="q2"><div class="q7"><span>Antworten</span><span>Franzi</span></div>
        <div class="q6"><a href="#c2">19. Februar 2017 20:00</a></div>\
<p>Liebe Kathrin, ich habe es nachgebacken.</p></li>
      </ol>""", language="de") == [
        ("comment", None, "Roscoe", "August 15, 2020 at 1:49 pm", None, None,
         "<p>It seems like a simple fix.</p>"),
        ("comment", None, "Franzi", "19. Februar 2017 20:00", None, None,
         "<p>Liebe Kathrin, ich habe es nachgebacken.</p>"),
    ]


def test_a_drupal_field_named_for_its_content_is_no_name_and_a_weekday_belongs_to_the_date():
    assert read("""<section class="comments">
      <article class="comment" id="comment-7"><footer>\
<h6>Heidemarie Heim | Di, 21. April 2020 - 16:40</h6></footer>
        <div class="field--name-comment-body"><p><a href="/comment/7#comment-7">Ein Titel</a></p>\
</div>
        <div class="field--name-comment-body"><p>Vielen Dank für diese Einblicke!</p></div>
        <a href="/comment/reply/node/1/7">Antworten</a></article>
      <article class="comment" id="comment-8"><footer>\
<h6>Ellen Wolff | Mi, 22. April 2020 - 08:59</h6></footer>
        <div class="field--name-comment-body"><p><a href="/comment/8#comment-8">Noch einer</a></p>\
</div>
        <div class="field--name-comment-body"><p>Ein zweiter Kommentar.</p></div>
        <a href="/comment/reply/node/1/8">Antworten</a></article></section>""", language="de") == [
        ("comment", "7", "Heidemarie Heim", "Di, 21. April 2020 - 16:40", None, None,
         "<p>Vielen Dank für diese Einblicke!</p>"),
        ("comment", "8", "Ellen Wolff", "Mi, 22. April 2020 - 08:59", None, None,
         "<p>Ein zweiter Kommentar.</p>"),
    ]


def test_the_kind_of_time_that_marks_the_most_comments_wins():
    # A recipe card's machine-readable times mark three blocks; the comments' plain dates, more.
    cards = "".join(f'<div class="step"><time datetime="PT{minutes}M">{minutes} Min</time> '
                    f'Schritt</div>'
                    for minutes in (15, 30, 45))
    comments = "".join(f"""<li class="comment" id="li-comment-{number}">\
<cite class="fn">Leser {number}</cite>
        <a href="#c{number}">Juli {number}, 2013 um 2:33 pm</a><p>Kommentar Nummer {number}.</p>\
</li>"""
                       for number in range(1, 6))
    found = read(f'<div class="recipe">{cards}</div><ol class="commentlist">{comments}</ol>',
                 language="de")
    assert [(author, shown) for _, _, author, shown, *_ in found] == [
        (f"Leser {number}", f"Juli {number}, 2013 um 2:33 pm") for number in range(1, 6)]


def test_links_around_the_times_are_not_the_comments_they_sit_in():
    # Unknown classes; the post's date is a permalink too, so there are more links than items.
    html = f"""<html><body><article><h1>Post</h1><a href="{URL}">\
<time datetime="2024-05-01T08:00:00Z">1 May</time></a>
      <p>The text of the post, long enough to be one.</p></article>
      <ol class="x1"><li class="x2"><b>Ann</b> <a href="#c1">\
<time datetime="2024-05-01T09:00:00Z">1 May, 9:00</time></a>
        <p>First.</p></li>
      <li class="x2"><b>Bo</b> <a href="#c2">\
<time datetime="2024-05-01T10:00:00Z">1 May, 10:00</time></a>
        <p>Second.</p></li></ol></body></html>"""
    assert [(c.author, c.published_machine, " ".join(c.body_html.split()))
            for c in structure.structural_comments(Page(URL, html))] == [
        ("Ann", "2024-05-01T09:00:00Z", "<p>First.</p>"),
        ("Bo", "2024-05-01T10:00:00Z", "<p>Second.</p>"),
    ]


def test_dated_links_to_other_posts_are_no_thread():
    assert read("""<div class="more-stories">
      <div class="story">\
<a href="/a/">A much longer title of another post</a> <span>12.03.2020</span></div>
      <div class="story">\
<a href="/b/">Yet another long title of a post here</a> <span>14.03.2020</span></div>
      <div class="story">\
<a href="/c/">And a third title of a post, as long</a> <span>16.03.2020</span></div>
      </div>""", language="de") == []


def test_a_pingback_block_without_an_id_is_typed_and_a_permalink_gives_the_instant():
    assert read("""<div class="comments">
      <div class="comment">\
<span class="author">Ann</span> <span class="when">May 1, 2024 at 9:00</span>
        <p>First comment, with words.</p></div>
      <div class="comment"><span class="when">May 2, 2024 at 10:00</span>
        <p>Pingback: <a href="https://other.example/x/">Linking post</a></p></div>
      <div class="comment">\
<a href="/p/?showComment=1714723200000">#</a> <span class="author">Bo</span>
        <span class="when">May 3, 2024</span><p>Another comment here.</p></div></div>""") == [
        ("comment", None, "Ann", "May 1, 2024 at 9:00", None, None,
         "<p>First comment, with words.</p>"),
        # The linking page is its author; the label and the link leave nothing of a text.
        ("pingback", None, "Linking post", "May 2, 2024 at 10:00", None, None, ""),
        ("comment", None, "Bo", "May 3, 2024", "1714723200000", None,
         '<a href="/p/?showComment=1714723200000">#</a> <p>Another comment here.</p>'),
    ]


def test_a_platforms_page_whose_templates_find_no_names_or_times_is_read_again_structurally():
    # WordPress markup (comment ids) in a theme whose name and date classes no template knows.
    html = f"""<html lang="de"><head><meta name="generator" content="WordPress 6.1"></head>\
<body>{POST}
      <div id="comments"><div id="comment-11" class="stand_comment"><div class="comment_box">\
<p>Ein Tipp.</p></div>
        <div class="comment_info">\
<span class="author_name">Tobsen</span> · <span class="comment_date">April 19, 2019</span></div>\
</div>
      <div id="comment-12" class="stand_comment"><div class="comment_box"><p>Danke.</p></div>
        <div class="comment_info">\
<span class="author_name">Markus</span> · <span class="comment_date">Mai 05, 2019</span></div></div>
      </div></body></html>"""
    thread = extract(Page(URL, html))
    assert [(c.platform_id, c.author, c.published, c.body_text) for c in thread.comments] == [
        ("11", "Tobsen", "2019-04-19", "Ein Tipp."),
        ("12", "Markus", "2019-05-05", "Danke."),
    ]


def test_a_platforms_comments_without_any_time_take_the_times_the_structural_reader_finds():
    # WordPress's markup for comments and names, and a date in a span no template knows.
    comments = "".join(f"""<li id="comment-{number}" class="comment">\
<div class="comment-author vcard">
        <cite class="fn">{author}</cite></div><span class="stamp">{day}. März 2020 um 10:00</span>
        <div class="comment-content"><p>Kommentar {number}.</p></div></li>"""
                       for number, author, day in ((1, "Ann", 12), (2, "Bo", 13)))
    html = f"""<html lang="de"><head><meta name="generator" content="WordPress 6.1"></head>\
<body>{POST}
      <div id="comments"><ol class="comment-list">{comments}</ol></div></body></html>"""
    thread = extract(Page(URL, html))
    assert (thread.platform,
            [(c.platform_id, c.author, c.published, c.body_text) for c in thread.comments]) == (
        "wordpress", [("1", "Ann", "2020-03-12T10:00:00", "Kommentar 1."),
                      ("2", "Bo", "2020-03-13T10:00:00", "Kommentar 2.")])
