// Animations: the video gets its poster and captions when it comes near the screen, and the
// step list under it follows the video and seeks it.
// Everything works without this script (the video has its own controls and captions, the
// poster shows as an image above it, and reduced motion is pure CSS); it only marks the step
// being shown and lets a click on a step jump the video there.
// The build loads this script after the page's first frame, when the page has been parsed.
const startAnimationSteps = () => {
  const show = (video) => {  // the poster and captions, fetched now
    if (video.dataset.poster && !video.poster) video.poster = video.dataset.poster;
    for (const track of video.textTracks) if (track.mode === "disabled") track.mode = "showing";
  };
  const near = "IntersectionObserver" in window ? new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (entry.isIntersecting) { near.unobserve(entry.target); show(entry.target); }
    }
  }, { rootMargin: "200% 0px" }) : null;
  for (const figure of document.querySelectorAll("figure.dlbook-animation")) {
    const video = figure.querySelector("video");
    if (video && figure.dataset.steps !== "ready") near ? near.observe(video) : show(video);
    const steps = [...figure.querySelectorAll("li[data-start]")];
    if (!video || steps.length === 0 || figure.dataset.steps === "ready") continue;
    figure.dataset.steps = "ready";
    const mark = () => {
      const t = video.currentTime;
      for (const li of steps) {
        const on = t >= Number(li.dataset.start) && t < Number(li.dataset.end);
        li.toggleAttribute("data-active", on && !video.paused);
      }
    };
    for (const event of ["timeupdate", "play", "pause", "ended"]) video.addEventListener(event, mark);
    for (const li of steps) {
      const time = li.querySelector(".dlbook-animation-time");
      if (!time) continue;
      time.setAttribute("role", "button");
      time.setAttribute("tabindex", "0");
      time.title = "Play from this step";
      const seek = () => {
        video.currentTime = Number(li.dataset.start);
        video.play().catch(() => {});  // a browser may refuse to play before a user gesture
      };
      time.addEventListener("click", seek);
      time.addEventListener("keydown", (e) => (e.key === "Enter" || e.key === " ") && (e.preventDefault(), seek()));
    }
  }
};
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startAnimationSteps);
else startAnimationSteps();
