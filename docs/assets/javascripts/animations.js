// Animations: the step list under each video follows the video and seeks it.
// Everything works without this script (the video has its own controls and captions,
// and reduced motion is pure CSS); it only marks the step being shown and lets a click
// on a step jump the video there.
document.addEventListener("DOMContentLoaded", () => {
  for (const figure of document.querySelectorAll("figure.dlbook-animation")) {
    const video = figure.querySelector("video");
    const steps = [...figure.querySelectorAll("li[data-start]")];
    if (!video || steps.length === 0) continue;
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
});
