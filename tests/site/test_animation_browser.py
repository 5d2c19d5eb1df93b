"""The animations of the book in Debian's headless Chromium, on every page that embeds one.

Each video must play to its end (muted, at 16x speed), load its captions track, and come
with its step list; a reader who asks for reduced motion gets the poster and the step
list instead of the video. Nothing is faked: a browser that cannot decode the H.264
videos fails the test with the media error it reports.
"""

from __future__ import annotations

import pytest
from conftest import BuiltSite
from rendering import render_all

pytestmark = pytest.mark.slow

PAGE = "training/backpropagation/"
EXPECTED = {"ForwardPass", "BackwardPass"}
# every page that embeds an animation, with the scenes it must show
PAGES = {
    "neurons/perceptron/": {"PerceptronForward"},
    "neurons/neural-networks/": {"ForwardPass"},
    PAGE: EXPECTED,
    "training/gradient-descent/": {"GradientDescentStep"},
    "architectures/recurrent-networks/": {"RNNUnrolled"},
    "architectures/attention-and-transformers/": {"AttentionStep"},
}


PLAY_TO_END = """async (figure) => {
  const video = figure.querySelector('video');
  video.muted = true;
  const track = video.textTracks[0];
  track.mode = 'showing';  // a 'default' track loads anyway; this makes sure
  const ended = new Promise((resolve, reject) => {
    video.addEventListener('ended', () => resolve(), {once: true});
    video.addEventListener('error', () => reject(new Error(
      'media error ' + (video.error && video.error.code) + ': ' + (video.error && video.error.message))));
    setTimeout(() => reject(new Error('no ended event after 60 s, at ' + video.currentTime)), 60000);
  });
  video.playbackRate = 16;
  await video.play();
  await ended;
  const trackElement = video.querySelector('track');
  return {
    canPlay: video.canPlayType('video/mp4; codecs="avc1.64001E"'),
    duration: video.duration,
    currentTime: video.currentTime,
    width: video.videoWidth,
    height: video.videoHeight,
    trackReadyState: trackElement.readyState,
    cues: track.cues ? track.cues.length : 0,
    steps: figure.querySelectorAll('ol li').length,
  };
}"""


@pytest.mark.parametrize(("path", "expected"), PAGES.items(), ids=list(PAGES))
def test_every_animation_plays_to_its_end_with_captions(
    built_site: BuiltSite, base_url: str, browser, path: str, expected: set[str]
) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base_url + path, wait_until="networkidle")
    render_all(page)  # as a reader who scrolled to the animations has them
    figures = page.locator("figure.dlbook-animation")
    names = {figures.nth(i).get_attribute("data-scene") for i in range(figures.count())}
    assert names >= expected, f"{path} embeds {sorted(n for n in names if n)}, expected {sorted(expected)}"
    for i in range(figures.count()):
        figure = figures.nth(i)
        name = figure.get_attribute("data-scene")
        result = figure.evaluate(PLAY_TO_END)
        assert result["canPlay"], f"{name}: this Chromium reports it cannot play H.264 MP4"
        assert abs(result["currentTime"] - result["duration"]) < 0.25, (name, result)
        assert (result["width"], result["height"]) == (854, 480), (name, result)
        assert result["trackReadyState"] == 2 and result["cues"] >= 1, f"{name}: no captions: {result}"
        assert result["steps"] == result["cues"], f"{name}: transcript and captions differ: {result}"
        assert figure.locator("video").is_visible()
        assert not figure.locator("img.dlbook-animation-poster").is_visible()
    page.close()
    assert not errors, errors


def test_reduced_motion_shows_the_poster_and_steps_instead(base_url: str, browser) -> None:
    page = browser.new_page()
    page.emulate_media(reduced_motion="reduce")
    page.goto(base_url + PAGE, wait_until="networkidle")
    render_all(page)
    figures = page.locator("figure.dlbook-animation")
    assert figures.count() >= len(EXPECTED)
    for i in range(figures.count()):
        figure = figures.nth(i)
        name = figure.get_attribute("data-scene")
        assert not figure.locator("video").is_visible(), f"{name}: video shown despite reduced motion"
        poster = figure.locator("img.dlbook-animation-poster")
        poster.scroll_into_view_if_needed()
        assert poster.is_visible(), f"{name}: no poster under reduced motion"
        page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=poster.element_handle())
        assert figure.locator("ol li").first.is_visible(), f"{name}: no step list under reduced motion"
        assert figure.locator("ol li").count() >= 1
    page.close()


def test_poster_and_captions_come_when_the_video_nears(base_url: str, browser) -> None:
    """A video screens down costs the page nothing until the reader nears it: animations.js
    then sets its poster and turns its captions on. Without scripts the poster shows as an image."""
    page = browser.new_page(viewport={"width": 412, "height": 823})
    fetched: list[str] = []
    page.on("request", lambda r: "/assets/animations/" in r.url and fetched.append(r.url))
    page.goto(base_url + PAGE, wait_until="load")
    page.wait_for_timeout(1_000)
    video = page.locator("figure.dlbook-animation video").first
    assert not fetched, fetched
    assert video.evaluate("v => v.poster === '' && v.textTracks[0].mode === 'disabled'")
    video.scroll_into_view_if_needed()
    page.wait_for_function("v => v.poster !== '' && v.textTracks[0].mode === 'showing'",
                           arg=video.element_handle(), timeout=10_000)
    page.wait_for_timeout(500)
    assert any(u.endswith(".vtt") for u in fetched) and any(u.endswith((".webp", ".png")) for u in fetched)
    page.close()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + PAGE, wait_until="load")
    poster = page.locator("figure.dlbook-animation img.dlbook-animation-poster").first
    poster.scroll_into_view_if_needed()
    assert poster.is_visible()
    context.close()
